// The OCPP 1.6J configuration keys this charge point supports: a table, read by the store.
//
// Sources: OCPP 1.6 edition 2 §9.1 (Core profile), its errata sheet (v4: §3.14 metering keys,
// §3.79 StopTransactionOnEVSideDisconnect, §3.80 SupportedFeatureProfilesMaxLength, new
// StopTransactionMaxMeterValues), OCPP-J 1.6 §7 (WebSocketPingInterval) and the 1.6 security
// whitepaper edition 2 §7 (security keys). Defaults the spec leaves open follow MicroOcpp
// (iec61851-reference.md B3) unless a comment says otherwise.
//
// `apply`: 'live' → a change is Accepted and announced through ConfigurationStore.onChange;
// 'reboot' → a change is RebootRequired, persisted, and read at the next start. Read-only keys
// are firmware facts: set from the table, the charger config (`initial`) or the connector count.

export type KeyType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  /**
   * Comma-separated list of `values` (matched case-insensitively, stored canonically, no
   * duplicates). `indexed`: each item is `<connectorId>.<value>`, connectorId 0..NumberOfConnectors,
   * one item per connector. At most the value of `maxLengthKey` items (§5.3: 1 when there is none).
   */
  | {
      readonly kind: 'csl';
      readonly values: readonly string[];
      readonly maxLengthKey?: string;
      readonly indexed?: boolean;
    }
  | { readonly kind: 'string'; readonly minLength: number; readonly maxLength: number; readonly pattern?: RegExp };

export interface KeyDefinition {
  readonly name: string;
  readonly type: KeyType;
  /** As GetConfiguration reports it: true = ChangeConfiguration is Rejected. */
  readonly readonly: boolean;
  /** Absent: the key is known but has no value until set. A function gets the connector count. */
  readonly default?: string | ((numberOfConnectors: number) => string);
  readonly apply: 'live' | 'reboot';
  /** Never reported by GetConfiguration (listed without a value). */
  readonly writeOnly?: boolean;
  /** Only ever increases; a value lower than or equal to the current one is Rejected. */
  readonly monotonic?: boolean;
}

/** §7.31 measurands this charger produces. Phase-qualified items (Voltage.L1) are not accepted:
 * every phase measured is reported for a configured measurand (errata §3.14.3). */
export const MEASURANDS = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Current.Offered',
  'Voltage',
  'Frequency',
  'Temperature',
  'SoC',
] as const;

/** §9.1.7 ConnectorPhaseRotation values. */
export const PHASE_ROTATIONS = ['NotApplicable', 'Unknown', 'RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR'] as const;

/** §9.1.29 profile identifiers. */
export const FEATURE_PROFILES = [
  'Core',
  'FirmwareManagement',
  'LocalAuthListManagement',
  'Reservation',
  'SmartCharging',
  'RemoteTrigger',
] as const;

const bool = { kind: 'boolean' } as const;
const int = (min: number, max: number) => ({ kind: 'integer', min, max }) as const;
const measurands = (maxLengthKey: string) => ({ kind: 'csl', values: MEASURANDS, maxLengthKey }) as const;
const DAY_S = 86_400;
const EAIR = 'Energy.Active.Import.Register';

export const KEY_DEFINITIONS = [
  // §9.1 Core profile (errata v4 where noted).
  // Optional booleans: present = the function exists (§9 intro); both off by default.
  { name: 'AllowOfflineTxForUnknownId', type: bool, readonly: false, default: 'false', apply: 'live' },
  { name: 'AuthorizationCacheEnabled', type: bool, readonly: false, default: 'false', apply: 'live' },
  // §9.1.3 "R or RW": RW, so a Central System that wants remote starts authorized like local
  // ones can say so; default false, the Central System vouches for its own RemoteStart.
  { name: 'AuthorizeRemoteTxRequests', type: bool, readonly: false, default: 'false', apply: 'live' },
  { name: 'BlinkRepeat', type: int(0, 100), readonly: false, default: '3', apply: 'live' },
  { name: 'ClockAlignedDataInterval', type: int(0, DAY_S), readonly: false, default: '0', apply: 'live' },
  { name: 'ConnectionTimeOut', type: int(1, 3600), readonly: false, default: '60', apply: 'live' },
  // §9.1.7: the meter's phase mapping is set up at start-up, hence reboot.
  {
    name: 'ConnectorPhaseRotation',
    type: { kind: 'csl', values: PHASE_ROTATIONS, maxLengthKey: 'ConnectorPhaseRotationMaxLength', indexed: true },
    readonly: false,
    default: (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}.Unknown`).join(','),
    apply: 'reboot',
  },
  { name: 'ConnectorPhaseRotationMaxLength', type: int(1, 100), readonly: true, default: (n: number) => String(n + 1), apply: 'live' },
  // ≥ the number of keys, so a Central System naming every key gets them in one request.
  { name: 'GetConfigurationMaxKeys', type: int(1, 1000), readonly: true, default: '50', apply: 'live' },
  { name: 'HeartbeatInterval', type: int(1, DAY_S), readonly: false, default: '86400', apply: 'live' },
  { name: 'LightIntensity', type: int(0, 100), readonly: false, default: '100', apply: 'live' },
  { name: 'LocalAuthorizeOffline', type: bool, readonly: false, default: 'true', apply: 'live' },
  { name: 'LocalPreAuthorize', type: bool, readonly: false, default: 'false', apply: 'live' },
  { name: 'MaxEnergyOnInvalidId', type: int(0, 1_000_000), readonly: false, default: '0', apply: 'live' },
  // Measurand lists: errata §3.14 (an unsupported measurand is Rejected, §3.14.4; "" = none, §3.14.5).
  { name: 'MeterValuesAlignedData', type: measurands('MeterValuesAlignedDataMaxLength'), readonly: false, default: EAIR, apply: 'live' },
  { name: 'MeterValuesAlignedDataMaxLength', type: int(1, 100), readonly: true, default: String(MEASURANDS.length), apply: 'live' },
  // §9.1.17 gives this default.
  { name: 'MeterValuesSampledData', type: measurands('MeterValuesSampledDataMaxLength'), readonly: false, default: EAIR, apply: 'live' },
  { name: 'MeterValuesSampledDataMaxLength', type: int(1, 100), readonly: true, default: String(MEASURANDS.length), apply: 'live' },
  { name: 'MeterValueSampleInterval', type: int(0, DAY_S), readonly: false, default: '60', apply: 'live' },
  { name: 'MinimumStatusDuration', type: int(0, 3600), readonly: false, default: '0', apply: 'live' },
  { name: 'NumberOfConnectors', type: int(1, 100), readonly: true, default: (n: number) => String(n), apply: 'live' },
  { name: 'ResetRetries', type: int(0, 10), readonly: false, default: '2', apply: 'live' },
  // Errata §3.79: optional, "R or RW"; kept RW as in edition 2.
  { name: 'StopTransactionOnEVSideDisconnect', type: bool, readonly: false, default: 'true', apply: 'live' },
  { name: 'StopTransactionOnInvalidId', type: bool, readonly: false, default: 'true', apply: 'live' },
  // Errata new §9.1.23: the transaction piece must cap StopTransaction.transactionData at this.
  { name: 'StopTransactionMaxMeterValues', type: int(2, 10_000), readonly: true, default: '100', apply: 'live' },
  // Empty by default: no meter values in StopTransaction (errata §3.14.5) beyond meterStop.
  { name: 'StopTxnAlignedData', type: measurands('StopTxnAlignedDataMaxLength'), readonly: false, default: '', apply: 'live' },
  { name: 'StopTxnAlignedDataMaxLength', type: int(1, 100), readonly: true, default: String(MEASURANDS.length), apply: 'live' },
  { name: 'StopTxnSampledData', type: measurands('StopTxnSampledDataMaxLength'), readonly: false, default: '', apply: 'live' },
  { name: 'StopTxnSampledDataMaxLength', type: int(1, 100), readonly: true, default: String(MEASURANDS.length), apply: 'live' },
  // What the OCPP client implements; set through `initial` as profiles are added.
  {
    name: 'SupportedFeatureProfiles',
    type: { kind: 'csl', values: FEATURE_PROFILES, maxLengthKey: 'SupportedFeatureProfilesMaxLength' },
    readonly: true,
    default: 'Core,LocalAuthListManagement',
    apply: 'live',
  },
  // Errata §3.80: of no use, but harmless and listed by §9.1.30.
  { name: 'SupportedFeatureProfilesMaxLength', type: int(1, 100), readonly: true, default: String(FEATURE_PROFILES.length), apply: 'live' },
  { name: 'TransactionMessageAttempts', type: int(1, 10), readonly: false, default: '3', apply: 'live' },
  { name: 'TransactionMessageRetryInterval', type: int(1, DAY_S), readonly: false, default: '60', apply: 'live' },
  { name: 'UnlockConnectorOnEVSideDisconnect', type: bool, readonly: false, default: 'true', apply: 'live' },
  // §9.1.34 / OCPP-J §7: 0 = no client pings; negative Rejected. J errata §3.9: keep it below
  // TransactionMessageAttempts × TransactionMessageRetryInterval (3 × 60 by default).
  { name: 'WebSocketPingInterval', type: int(0, DAY_S), readonly: false, default: '60', apply: 'live' },

  // §9.2 Local Auth List Management profile (the list: app/local-list/).
  // Enabled by default: an empty list changes nothing until the backend sends one.
  { name: 'LocalAuthListEnabled', type: bool, readonly: false, default: 'true', apply: 'live' },
  { name: 'LocalAuthListMaxLength', type: int(1, 100_000), readonly: true, default: '10000', apply: 'live' },
  // A SendLocalList.req of this many entries at their longest (~150 bytes each) stays under the
  // connection's 64 KiB frame limit (app/ocpp/connection/ocpp-connection.ts); a longer list is
  // sent as a Full update and Differential ones.
  { name: 'SendLocalListMaxLength', type: int(1, 100_000), readonly: true, default: '400', apply: 'live' },

  // Security whitepaper ed. 2 §7 (profiles 1–3).
  // §7.1: required unless only profile 1 is implemented; this charger replaces root certificates freely.
  { name: 'AdditionalRootCertificateCheck', type: bool, readonly: true, default: 'false', apply: 'live' },
  // §7.2, A00.FR.205: 16–20 bytes written as 32–40 hex digits; write-only; live: the client uses
  // the new password from its next connection (A01 asks for no reconnect).
  {
    name: 'AuthorizationKey',
    type: { kind: 'string', minLength: 32, maxLength: 40, pattern: /^(?:[0-9A-Fa-f]{2})+$/ },
    readonly: false,
    apply: 'live',
    writeOnly: true,
  },
  // §7.3: at most 10 000 characters.
  { name: 'CertificateSignedMaxChainSize', type: int(1, 10_000), readonly: true, default: '10000', apply: 'live' },
  { name: 'CertificateStoreMaxLength', type: int(1, 100), readonly: true, default: '10', apply: 'live' },
  // §7.5: goes into the CSR's organizationName (X.509 upper bound 64 characters); unset by default.
  { name: 'CpoName', type: { kind: 'string', minLength: 1, maxLength: 64 }, readonly: false, apply: 'live' },
  // §7.6, A05: 0 (none yet) to 3, only up; Accepted, then the client reconnects (A05.FR.05–07).
  { name: 'SecurityProfile', type: int(0, 3), readonly: false, default: '0', apply: 'live', monotonic: true },
] as const satisfies readonly KeyDefinition[];

type Definition = (typeof KEY_DEFINITIONS)[number];
export type ConfigurationKey = Definition['name'];
export type BooleanKey = Extract<Definition, { type: { kind: 'boolean' } }>['name'];
export type IntegerKey = Extract<Definition, { type: { kind: 'integer' } }>['name'];
export type ListKey = Extract<Definition, { type: { kind: 'csl' } }>['name'];

const BY_LOWER_NAME: ReadonlyMap<string, KeyDefinition> = new Map(KEY_DEFINITIONS.map((d) => [d.name.toLowerCase(), d]));

/** Keys are CiString50Type: matched case-insensitively (§7.17). */
export function findKey(name: string): KeyDefinition | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
