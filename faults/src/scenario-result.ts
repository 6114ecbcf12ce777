/** One fault scenario's outcome, as written to faults/results/<id>.json and summarised in BENCHMARKS.md. */
export interface FaultScenarioResult {
  /** e.g. `rabbitmq-node-restart`. */
  id: string;
  title: string;
  broker: 'RabbitMQ' | 'Kafka';
  /** What was done to the system, in one sentence. */
  fault: string;
  date: string;
  /** Conversations publishing (each checked for order on its own). */
  senders: number;
  /** Events the code under test accepted (publish did not throw). */
  accepted: number;
  /** Deliveries the consumer saw, duplicates included. */
  seen: number;
  /** Accepted events the consumer never saw: must be 0. */
  lost: number;
  /** Extra copies the consumer saw (at-least-once allows them; counted). */
  duplicated: number;
  /** Conversations whose events, taken at their first arrival, were out of publish order: must be 0. */
  reorderedSenders: number;
  /** How long recovery took, in ms, as `recovery` defines it for this scenario. */
  recoveryMs: number;
  recovery: string;
  /** The whole scenario, fault included, in ms. */
  durationMs: number;
}
