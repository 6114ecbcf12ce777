// Topic creation for tests on the Kafka nodes of services/up.sh (see services/README.md).

/** What a cluster answers while it catches up after a broker restart: worth asking again. */
const NOT_READY = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'INVALID_REPLICATION_FACTOR',
]);

/** The protocol error types of a kafkajs error (an aggregate of per-topic errors, or one). */
function errorTypes(error) {
  return Array.isArray(error?.errors) ? error.errors.map((e) => e?.type) : [error?.type];
}

/**
 * Creates a topic with a connected kafkajs admin client and resolves once every partition has a
 * leader. Right after a cluster broker restarted (the previous test stopped or killed one), the
 * cluster may not count it yet (INVALID_REPLICATION_FACTOR for a topic replicated on every
 * broker), and a broker may not know the new topic yet (UNKNOWN_TOPIC_OR_PARTITION, which
 * kafkajs's own `waitForLeaders` gives up on at once); both are asked again until `timeoutMs`.
 */
export async function createTopicWithLeaders(admin, topicConfig, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let created = false;
  let last = 'no answer yet';
  for (;;) {
    try {
      if (!created) {
        await admin.createTopics({ topics: [topicConfig] });
        created = true;
      }
      const { topics } = await admin.fetchTopicMetadata({ topics: [topicConfig.topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      last = `partitions without a leader: ${partitions.filter((p) => p.leader < 0).length}`;
    } catch (error) {
      const types = errorTypes(error);
      // A create that timed out on our side may have gone through: the topic is there.
      if (types.every((type) => type === 'TOPIC_ALREADY_EXISTS')) created = true;
      else if (!types.every((type) => NOT_READY.has(type))) throw error;
      last = types.join(', ');
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topic ${topicConfig.topic} has no leader for every partition after ${timeoutMs} ms (${last})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
