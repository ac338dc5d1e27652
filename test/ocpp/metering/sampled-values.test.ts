import { strict as assert } from 'node:assert';

import { MEASURANDS } from '../../../app/ocpp/configuration/keys.js';
import type { SampledValue } from '../../../app/ocpp/ocpp-types.js';
import { energyRegister, sampledValues } from '../../../app/ocpp/metering/sampled-values.js';
import { connectorView as view, reading } from '../fake-charger-port.js';
import { schemaErrors } from './helpers.js';

const CONTEXTS = ['Sample.Periodic', 'Sample.Clock', 'Transaction.Begin', 'Transaction.End'] as const;

const full = view(1, {
  phases: 3,
  meter: reading(12_345.6, { currentA: [15.996, 16.2, 0.004], voltageV: [229.94, 231.06, 230], totalPowerW: 7_400.4, frequencyHz: 49.987 }),
  offeredCurrentA: 16,
  socketTemperatureC: 41.26,
  socPercent: 57.4,
});

describe('sampledValues', () => {
  it('gives every measurand with its unit, phase, location, format and context', () => {
    const c = 'Sample.Periodic';
    const base = { context: c, format: 'Raw', location: 'Outlet' } as const;
    const expected: SampledValue[] = [
      { ...base, measurand: 'Energy.Active.Import.Register', unit: 'Wh', value: '12346' },
      { ...base, measurand: 'Power.Active.Import', unit: 'W', value: '7400' },
      { ...base, measurand: 'Current.Import', unit: 'A', phase: 'L1', value: '16.00' },
      { ...base, measurand: 'Current.Import', unit: 'A', phase: 'L2', value: '16.20' },
      { ...base, measurand: 'Current.Import', unit: 'A', phase: 'L3', value: '0.00' },
      { ...base, measurand: 'Current.Offered', unit: 'A', value: '16.00' },
      { ...base, measurand: 'Voltage', unit: 'V', phase: 'L1-N', value: '229.9' },
      { ...base, measurand: 'Voltage', unit: 'V', phase: 'L2-N', value: '231.1' },
      { ...base, measurand: 'Voltage', unit: 'V', phase: 'L3-N', value: '230.0' },
      { ...base, measurand: 'Frequency', value: '49.99' }, // 1.6 has no Hz unit
      { ...base, measurand: 'Temperature', unit: 'Celsius', value: '41.3' },
      { ...base, measurand: 'SoC', unit: 'Percent', location: 'EV', value: '57' },
    ];
    assert.deepEqual(sampledValues(full, MEASURANDS, c), expected);
  });

  for (const context of CONTEXTS) {
    it(`sets context ${context} on every value`, () => {
      const values = sampledValues(full, MEASURANDS, context);
      assert.equal(values.length, 12);
      assert.deepEqual(new Set(values.map((v) => v.context)), new Set([context]));
    });
  }

  it('reports only the phases of a 1-phase connector', () => {
    const values = sampledValues(view(2, { phases: 1, meter: reading(5, { currentA: [10, 3, 3] }) }), ['Current.Import', 'Voltage'], 'Sample.Clock');
    assert.deepEqual(values.map((v) => `${v.measurand} ${v.phase}`), ['Current.Import L1', 'Voltage L1-N']);
  });

  it('follows the configured order and leaves out measurands not configured', () => {
    const values = sampledValues(full, ['Voltage', 'Energy.Active.Import.Register'], 'Sample.Periodic');
    assert.deepEqual(values.map((v) => v.measurand), ['Voltage', 'Voltage', 'Voltage', 'Energy.Active.Import.Register']);
    assert.deepEqual(sampledValues(full, [], 'Sample.Periodic'), []);
  });

  it('gives nothing for measurands it cannot measure', () => {
    assert.deepEqual(sampledValues(full, ['Power.Offered', 'RPM', 'Energy.Active.Export.Register', 'Power.Factor'], 'Sample.Periodic'), []);
  });

  it('gives no SoC without the EV reporting it, no Temperature without a reading', () => {
    const v = view(1, { socPercent: null, socketTemperatureC: null });
    assert.deepEqual(sampledValues(v, ['SoC', 'Temperature'], 'Sample.Periodic'), []);
    assert.equal(sampledValues(view(1, { socPercent: 0 }), ['SoC'], 'Sample.Periodic')[0]?.value, '0');
  });

  it('gives no meter measurands without a meter reading, but still what the PWM offers', () => {
    const values = sampledValues(view(1, { meter: null, offeredCurrentA: 0 }), MEASURANDS, 'Sample.Clock');
    assert.deepEqual(values.map((v) => [v.measurand, v.value]), [['Current.Offered', '0.00']]);
  });

  it('never writes -0 and rounds the register to whole Wh', () => {
    const v = view(1, { meter: reading(999.49, { currentA: [-0.001, 0, 0], totalPowerW: -0.4 }) });
    const values = sampledValues(v, ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import'], 'Sample.Periodic');
    assert.deepEqual(values.map((x) => x.value), ['999', '0', '0.00', '0.00', '0.00']);
    assert.deepEqual(energyRegister(1000.5, 'Transaction.End'), {
      value: '1001', context: 'Transaction.End', format: 'Raw', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh',
    });
  });

  it('makes MeterValues.req and StopTransaction.req valid against the OCPP 1.6 schema', () => {
    const sampledValue = CONTEXTS.flatMap((c) => sampledValues(full, MEASURANDS, c));
    const meterValue = [{ timestamp: '2026-01-01T00:15:00.000Z', sampledValue }];
    assert.equal(schemaErrors('MeterValues', { connectorId: 1, transactionId: 7, meterValue }), '');
    assert.equal(schemaErrors('StopTransaction', { transactionId: 7, meterStop: 12346, timestamp: '2026-01-01T01:00:00Z', transactionData: meterValue }), '');
  });

  it('(the schema check does refuse what 1.6 does not allow)', () => {
    const bad = (sv: object) => schemaErrors('MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: '50', ...sv }] }] });
    assert.notEqual(bad({ measurand: 'Frequency', unit: 'Hz' }), '');
    assert.notEqual(bad({ measurand: 'Voltage', phase: 'L4' }), '');
    assert.notEqual(schemaErrors('MeterValues', { connectorId: 1, meterValue: [{ timestamp: 'yesterday', sampledValue: [{ value: '1' }] }] }), '');
  });
});
