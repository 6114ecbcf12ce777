import type { Admin, Kafka } from 'kafkajs';
import type { AdminClient, PartitionLag } from '../client/kafka-client';

/** kafkajs's admin client, connected on first use and kept for the next calls. */
export class KafkajsAdminClient implements AdminClient {
  private connected: Promise<Admin> | undefined;

  constructor(private readonly kafka: Kafka) {}

  async groupLag(topic: string, groupId: string, fromBeginning: boolean): Promise<PartitionLag[]> {
    const admin = await this.connect();
    const [watermarks, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committedOf = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    return watermarks.map(({ partition, high, low }) => {
      const offset = committedOf.get(partition) ?? -1n;
      const from = offset >= 0n ? offset : fromBeginning ? BigInt(low) : BigInt(high);
      const lag = BigInt(high) - from;
      return { partition, lag: Number(lag > 0n ? lag : 0n) };
    });
  }

  async disconnect(): Promise<void> {
    const connected = this.connected;
    this.connected = undefined;
    const admin = await connected?.catch(() => undefined);
    await admin?.disconnect();
  }

  private connect(): Promise<Admin> {
    if (!this.connected) {
      const admin = this.kafka.admin();
      this.connected = admin.connect().then(
        () => admin,
        (error: unknown) => {
          // The next call tries again.
          this.connected = undefined;
          throw error;
        },
      );
    }
    return this.connected;
  }
}
