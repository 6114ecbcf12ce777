/**
 * What a broker built from endpoints.yml does while its server cannot be reached at start-up.
 * Each adapter defaults to what Rasa's broker of that type does: Rasa's pika broker waits for
 * the connection (`connection_attempts` tries), so `@broker/pika` defaults to `wait`; Rasa's
 * Kafka producer accepts events at once and connects in the background, so `@broker/kafka`
 * defaults to `buffer`.
 */
export type StartupMode =
  /** Connect first: building the broker fails with a ConnectionError when the server does not answer in time. */
  | 'wait'
  /** Accept events at once and buffer them (within the buffer limits) until the server answers. */
  | 'buffer';
