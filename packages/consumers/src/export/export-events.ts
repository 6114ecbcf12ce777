import { randomUUID } from 'node:crypto';
import {
  BrokerError,
  type BrokerErrorOptions,
  type EventBroker,
  parseEventMessage,
  serialiseEvent,
} from '@broker/core';

/** Rasa's header on exported events, so consumers can tell an export from live traffic. */
export const EXPORT_PROCESS_ID_HEADER = 'rasa-export-process-id';

/** One stored event to replay: its conversation, its timestamp, and its body as stored. */
export interface ExportableEvent {
  senderId: string;
  timestamp: number | null;
  body: string;
}

export interface ExportEventsOptions {
  /** Events in the order to publish them (by timestamp), already filtered by conversation and time. */
  events: AsyncIterable<ExportableEvent> | Iterable<ExportableEvent>;
  /** Seconds added to every published timestamp (`--offset-timestamps-by-seconds`). */
  offsetTimestampsBySeconds?: number;
  /** One uuid4 hex per run (Rasa's format); default a new one. */
  processId?: string;
  /** Events published between two waits for the broker's confirmations. Default 500. */
  chunkSize?: number;
  /** How long one wait for confirmations may take, in ms. Default 30 000. */
  confirmTimeoutMs?: number;
  /** Stops the export after the current chunk is confirmed; the resume position is reported. */
  signal?: AbortSignal;
  /** After every confirmed chunk: events confirmed so far. */
  onProgress?: (confirmed: number) => void;
  /**
   * Where the export stands, whenever that changes (a chunk starts, is handed to the broker, is
   * confirmed): for a caller that may have to stop without waiting (a second Ctrl-C) and still
   * tell where to continue. `resumeFromTimestamp` is the timestamp of the first event not
   * confirmed yet (between chunks: of the last confirmed one; undefined before the first event),
   * `unconfirmed` the events handed to the broker whose confirmation is awaited.
   */
  onPosition?: (position: {
    processId: string;
    published: number;
    resumeFromTimestamp: number | undefined;
    unconfirmed: number;
  }) => void;
}

export interface ExportReport {
  processId: string;
  /** Events published and confirmed by the broker. */
  published: number;
  /** Distinct conversations among them. */
  conversations: number;
}

/**
 * The export stopped before the end (the broker failed, or it was interrupted). Everything
 * before `resumeFromTimestamp` was confirmed; `--minimum-timestamp <resumeFromTimestamp>`
 * continues (events with that very timestamp may be sent twice: at-least-once).
 */
export class ExportInterruptedError extends BrokerError {
  readonly resumeFromTimestamp: number;
  readonly published: number;
  readonly processId: string;
  readonly interrupted: boolean;

  constructor(
    message: string,
    state: { resumeFromTimestamp: number; published: number; processId: string; interrupted: boolean },
    options: BrokerErrorOptions = {},
  ) {
    super('BROKER_DELIVERY_FAILED', message, { canRetry: true, ...options });
    this.resumeFromTimestamp = state.resumeFromTimestamp;
    this.published = state.published;
    this.processId = state.processId;
    this.interrupted = state.interrupted;
  }
}

/** The body `rasa export` publishes: the event, then `sender_id` appended last. */
export function exportBody(stored: ExportableEvent, offsetSeconds = 0): string {
  const { event } = parseEventMessage(stored.body);
  const shifted =
    offsetSeconds !== 0 && typeof event.timestamp === 'number'
      ? { ...event, timestamp: event.timestamp + offsetSeconds }
      : event;
  return serialiseEvent(stored.senderId, shifted, { senderIdPosition: 'last', trusted: true });
}

/**
 * Rasa's `rasa export` for our stores: replays stored events to a broker in timestamp order
 * with the `rasa-export-process-id` header, confirming chunk by chunk so that a failure leaves
 * an exact position to resume from.
 */
export async function exportEvents(broker: EventBroker, options: ExportEventsOptions): Promise<ExportReport> {
  const processId = options.processId ?? randomUUID().replaceAll('-', '');
  const chunkSize = options.chunkSize ?? 500;
  const headers = { [EXPORT_PROCESS_ID_HEADER]: processId };
  const conversations = new Set<string>();
  let published = 0;
  let chunk: ExportableEvent[] = [];
  const position = (resumeFromTimestamp: number | undefined, unconfirmed: number) =>
    options.onPosition?.({ processId, published, resumeFromTimestamp, unconfirmed });

  const confirm = async () => {
    if (chunk.length === 0) return;
    const first = chunk[0] as ExportableEvent;
    try {
      for (const stored of chunk)
        broker.publish(exportBody(stored, options.offsetTimestampsBySeconds), { headers });
      position(first.timestamp ?? 0, chunk.length);
      await broker.flush(options.confirmTimeoutMs ?? 30_000);
    } catch (error) {
      throw new ExportInterruptedError(
        `The broker did not confirm the export from timestamp ${first.timestamp ?? 0} on (${(error as Error).message}); ${published} event(s) were exported before.`,
        { resumeFromTimestamp: first.timestamp ?? 0, published, processId, interrupted: false },
        { cause: error },
      );
    }
    published += chunk.length;
    for (const stored of chunk) conversations.add(stored.senderId);
    const last = chunk[chunk.length - 1] as ExportableEvent;
    chunk = [];
    position(last.timestamp ?? 0, 0);
    options.onProgress?.(published);
  };

  for await (const stored of options.events) {
    if (options.signal?.aborted && chunk.length === 0) {
      throw new ExportInterruptedError(`The export was interrupted after ${published} event(s).`, {
        resumeFromTimestamp: stored.timestamp ?? 0,
        published,
        processId,
        interrupted: true,
      });
    }
    chunk.push(stored);
    if (chunk.length === 1) position(stored.timestamp ?? 0, 0);
    if (chunk.length >= chunkSize) await confirm();
  }
  await confirm();
  return { processId, published, conversations: conversations.size };
}
