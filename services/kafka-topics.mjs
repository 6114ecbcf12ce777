// Topic creation for tests on the Kafka nodes of services/up.sh (see services/README.md).

const NOT_READY = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Creates a topic with a connected kafkajs admin client and resolves once every partition has a
 * leader. kafkajs's own `waitForLeaders` asks one broker once for the new topic and gives up when
 * that broker does not know it yet (UNKNOWN_TOPIC_OR_PARTITION), which a cluster broker that was
 * just restarted answers while it catches up with the metadata log; this asks again until
 * `timeoutMs`.
 */
export async function createTopicWithLeaders(admin, topicConfig, { timeoutMs = 60_000 } = {}) {
  await admin.createTopics({ topics: [topicConfig] });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topicConfig.topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      last = `partitions without a leader: ${partitions.filter((p) => p.leader < 0).length}`;
    } catch (error) {
      if (!NOT_READY.has(error?.type)) throw error;
      last = error.type;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topic ${topicConfig.topic} has no leader for every partition after ${timeoutMs} ms (${last})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
