import type { SourceMessage } from '@broker/core';

/** What the reference consumers hand to their callback besides the decoded body. */
export interface ReceivedMessage {
  /** The body exactly as received. */
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  /** Kafka key (sender_id when Rasa's `partition_by_sender` is on). */
  key: string | undefined;
  position: string;
  redelivered: boolean;
  meta: Readonly<Record<string, unknown>>;
}

/** Called with `json.loads(body)`, as the Rasa documentation's Python examples do, and the message itself. */
export type ReceivedEventCallback = (event: unknown, message: ReceivedMessage) => unknown;

export function receivedMessage(message: SourceMessage): ReceivedMessage {
  const { body, headers, key, position, redelivered, meta } = message;
  return { body, headers, key, position, redelivered, meta };
}
