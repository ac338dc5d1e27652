// The message log: every frame in and out, parsed into a RecordedMessage, kept in memory and
// optionally appended as JSON lines to a file. Responses are tagged with the action of their CALL.

import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Direction, MessageFilter, MessageType, RecordedMessage } from './types.js';

const INVALID_TEXT_LIMIT = 64 * 1024;
const DEFAULT_MEMORY_LIMIT = 10_000;

export interface ParsedFrame {
  readonly messageType: MessageType;
  readonly messageId?: string;
  readonly action?: string;
  readonly payload: unknown;
}

/** Reads an OCPP-J frame the way a receiver would; anything not well-formed is INVALID. */
export function parseFrame(text: string): ParsedFrame {
  const invalid: ParsedFrame = { messageType: 'INVALID', payload: text.slice(0, INVALID_TEXT_LIMIT) };
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return invalid;
  }
  if (!Array.isArray(frame) || typeof frame[1] !== 'string') return invalid;
  const messageId = frame[1];
  switch (frame[0]) {
    case 2:
      return typeof frame[2] === 'string' && frame.length === 4
        ? { messageType: 'CALL', messageId, action: frame[2], payload: frame[3] }
        : invalid;
    case 3:
      return frame.length === 3 ? { messageType: 'CALLRESULT', messageId, payload: frame[2] } : invalid;
    case 4:
      return frame.length === 5
        ? { messageType: 'CALLERROR', messageId, payload: { errorCode: frame[2], errorDescription: frame[3], errorDetails: frame[4] } }
        : invalid;
    default:
      return invalid;
  }
}

export function matches(message: RecordedMessage, filter: MessageFilter): boolean {
  return (filter.chargePointId === undefined || message.chargePointId === filter.chargePointId)
    && (filter.action === undefined || message.action === filter.action)
    && (filter.direction === undefined || message.direction === filter.direction)
    && (filter.messageType === undefined || message.messageType === filter.messageType)
    && (filter.afterSeq === undefined || message.seq > filter.afterSeq);
}

export class MessageRecorder extends EventEmitter<{ message: [RecordedMessage] }> {
  private readonly log: RecordedMessage[] = [];
  private seq = 0;
  /** `${chargePointId}\n${direction of the CALL}\n${messageId}` → action, until answered. */
  private readonly openCalls = new Map<string, string>();
  private readonly file: WriteStream | null;
  private fileError: Error | null = null;

  constructor(
    recordFile: string | undefined,
    private readonly memoryLimit = DEFAULT_MEMORY_LIMIT,
  ) {
    super();
    this.file = recordFile === undefined ? null : createWriteStream(recordFile, { flags: 'a' });
    this.file?.on('error', (error) => (this.fileError = error));
  }

  /** The error that stopped writing the record file, if any. */
  get recordFileError(): Error | null {
    return this.fileError;
  }

  record(chargePointId: string, direction: Direction, text: string): RecordedMessage {
    const frame = parseFrame(text);
    const message: RecordedMessage = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      chargePointId,
      direction,
      messageType: frame.messageType,
      ...(frame.messageId !== undefined ? { messageId: frame.messageId } : {}),
      ...(this.actionOf(chargePointId, direction, frame) ?? {}),
      payload: frame.payload,
      size: text.length,
    };
    this.log.push(message);
    if (this.log.length > this.memoryLimit) this.log.splice(0, this.log.length - this.memoryLimit);
    if (this.file && !this.fileError) this.file.write(`${JSON.stringify(message)}\n`);
    this.emit('message', message);
    return message;
  }

  private actionOf(chargePointId: string, direction: Direction, frame: ParsedFrame): { action: string } | null {
    if (frame.messageId === undefined) return null;
    if (frame.messageType === 'CALL') {
      this.openCalls.set(`${chargePointId}\n${direction}\n${frame.messageId}`, frame.action!);
      return { action: frame.action! };
    }
    const callKey = `${chargePointId}\n${direction === 'in' ? 'out' : 'in'}\n${frame.messageId}`;
    const action = this.openCalls.get(callKey);
    if (action === undefined) return null;
    this.openCalls.delete(callKey);
    return { action };
  }

  /** Calls left unanswered when a charge point goes away are forgotten. */
  forgetOpenCalls(chargePointId: string): void {
    for (const key of this.openCalls.keys()) if (key.startsWith(`${chargePointId}\n`)) this.openCalls.delete(key);
  }

  messages(filter: MessageFilter = {}): RecordedMessage[] {
    const found = this.log.filter((m) => matches(m, filter));
    return filter.limit === undefined ? found : found.slice(Math.max(0, found.length - filter.limit));
  }

  /** The first recorded message (past or future) satisfying the predicate. */
  waitFor(predicate: (message: RecordedMessage) => boolean, timeoutMs: number): Promise<RecordedMessage> {
    const past = this.log.find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const onMessage = (message: RecordedMessage): void => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.off('message', onMessage);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.off('message', onMessage);
        reject(new Error(`dev CSMS: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('message', onMessage);
    });
  }

  async close(): Promise<void> {
    const file = this.file;
    if (!file || file.closed) return;
    await new Promise<void>((resolve) => file.end(resolve));
  }
}
