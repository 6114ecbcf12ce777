// Types for services/kafka-topics.mjs.

export interface TopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

/** The part of a kafkajs admin client the helper uses. */
export interface TopicAdmin {
  createTopics(options: { topics: TopicConfig[] }): Promise<boolean>;
  fetchTopicMetadata(options: {
    topics: string[];
  }): Promise<{ topics: { partitions: { partitionId: number; leader: number }[] }[] }>;
}

/** Creates a topic and resolves once every partition has a leader (asking again while brokers catch up). */
export function createTopicWithLeaders(
  admin: TopicAdmin,
  topicConfig: TopicConfig,
  options?: { timeoutMs?: number },
): Promise<void>;
