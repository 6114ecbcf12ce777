import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadServices } from 'broker-test-kit';
import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/**
 * What exists on the local test services, for the leftover check: RabbitMQ vhosts, queues (with
 * their message counts) and exchanges on the three nodes, Kafka topics (with their end offsets)
 * and consumer groups on the single node and the cluster, PostgreSQL databases, schemas and the tables of `public`.
 *
 * @typedef {object} Resource
 * @property {string} kind `queue`, `exchange`, `vhost`, `topic`, `consumer group`, `database`, `schema`, `table`
 * @property {string} name
 * @property {number} [count] messages in a queue, records written to a topic (sum of end offsets)
 * @property {number} [members] members of a consumer group
 * @property {string[]} [topics] topics a consumer group committed offsets on
 *
 * @typedef {{ reachable: true, resources: Resource[] } | { reachable: false, reason: string }} ServiceInventory
 * @typedef {Record<string, ServiceInventory>} Inventory keyed by service, e.g. `RabbitMQ main (rabbit@localhost)`
 */

// The scripts run from the repository root, where only the packages see their own dependencies.
const kafkajs = createRequire(join(REPO_ROOT, 'packages/kafka/package.json'))('kafkajs');
const pg = createRequire(join(REPO_ROOT, 'packages/consumers/package.json'))('pg');

const RABBITMQCTL_TIMEOUT_MS = 60_000;

/** Built into every RabbitMQ vhost: never a leftover. */
const isBuiltInExchange = (name) => name === '' || name.startsWith('amq.');

/**
 * `rabbitmqctl` against a node. The test nodes need the environment services/lib.sh builds
 * (their own Erlang cookie), so they go through its `rmqctl`; the main node is the machine's.
 */
async function rabbitmqctl(node, args) {
  const command =
    node === 'main'
      ? ['rabbitmqctl', ['-q', '-n', loadServices().rabbitmq.main.node, ...args]]
      : ['bash', ['-c', 'source services/lib.sh && rmqctl "$@"', 'rabbitmqctl', node, '-q', ...args]];
  const { stdout } = await runCommand(command[0], command[1], {
    cwd: REPO_ROOT,
    timeoutMs: RABBITMQCTL_TIMEOUT_MS,
  });
  return JSON.parse(stdout.trim() || '[]');
}

/** @param {'main' | 'fault' | 'tls'} node */
async function rabbitResources(node) {
  /** @type {Resource[]} */
  const resources = [];
  const vhosts = (await rabbitmqctl(node, ['list_vhosts', '--formatter', 'json', 'name'])).map((v) => v.name);
  for (const vhost of vhosts) {
    // Names carry their vhost unless it is the default one, so `/` reads as plain names.
    const named = (name) => (vhost === '/' ? name : `${vhost}/${name}`);
    if (vhost !== '/') resources.push({ kind: 'vhost', name: vhost });
    const queues = await rabbitmqctl(node, [
      'list_queues',
      '-p',
      vhost,
      '--formatter',
      'json',
      'name',
      'messages',
    ]);
    for (const queue of queues)
      resources.push({ kind: 'queue', name: named(queue.name), count: queue.messages });
    const exchanges = await rabbitmqctl(node, ['list_exchanges', '-p', vhost, '--formatter', 'json', 'name']);
    for (const exchange of exchanges) {
      if (!isBuiltInExchange(exchange.name)) resources.push({ kind: 'exchange', name: named(exchange.name) });
    }
  }
  return resources;
}

/** @param {string[]} brokers */
async function kafkaResources(brokers) {
  const kafka = new kafkajs.Kafka({
    clientId: 'leftover-check',
    brokers,
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    /** @type {Resource[]} */
    const resources = [];
    const topics = (await admin.listTopics()).filter((topic) => !topic.startsWith('__')).sort();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const count = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
      resources.push({ kind: 'topic', name: topic, count });
    }
    resources.push(...(await groupsThatStay(admin)));
    return resources;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Consumer groups with members or committed offsets. Deleting a topic deletes the offsets
 * committed on it, and Kafka removes an empty group without offsets by itself
 * (offsets.retention.check.interval.ms, 10 minutes by default): such a group is no leftover.
 */
async function groupsThatStay(admin) {
  const groupIds = (await admin.listGroups()).groups.map((group) => group.groupId).sort();
  if (groupIds.length === 0) return [];
  /** @type {Resource[]} */
  const resources = [];
  for (const group of (await admin.describeGroups(groupIds)).groups) {
    const members = group.members.length;
    const offsets = await admin.fetchOffsets({ groupId: group.groupId });
    const committed = offsets.some((topic) =>
      topic.partitions.some((partition) => partition.offset !== '-1'),
    );
    if (members > 0 || committed) {
      const topics = offsets.map((topic) => topic.topic);
      resources.push({ kind: 'consumer group', name: group.groupId, members, topics });
    }
  }
  return resources;
}

async function postgresResources() {
  const client = new pg.Client({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    const databases = await client.query('SELECT datname AS name FROM pg_database WHERE NOT datistemplate');
    const schemas = await client.query(
      `SELECT nspname AS name FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
    );
    // A test that leaves the schema unset writes into `public`, which always exists.
    const tables = await client.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
    return [
      ...databases.rows.map((row) => ({ kind: 'database', name: row.name })),
      ...schemas.rows.map((row) => ({ kind: 'schema', name: row.name })),
      ...tables.rows.map((row) => ({ kind: 'table', name: `public.${row.name}` })),
    ];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs one listing; a service that does not answer is recorded as such instead of failing the rest. */
async function inventoryOf(list) {
  try {
    return { reachable: true, resources: await list() };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { reachable: false, reason };
  }
}

/** @returns {Promise<Inventory>} */
export async function takeInventory() {
  const services = loadServices();
  const { main, fault, tls } = services.rabbitmq;
  return {
    [`RabbitMQ main (${main.node})`]: await inventoryOf(() => rabbitResources('main')),
    [`RabbitMQ fault (${fault.node})`]: await inventoryOf(() => rabbitResources('fault')),
    [`RabbitMQ tls (${tls.node})`]: await inventoryOf(() => rabbitResources('tls')),
    [`Kafka single (${services.kafka.single.plaintext})`]: await inventoryOf(() =>
      kafkaResources([services.kafka.single.plaintext]),
    ),
    [`Kafka cluster (${services.kafka.cluster.brokers.join(', ')})`]: await inventoryOf(() =>
      kafkaResources(services.kafka.cluster.brokers),
    ),
    'PostgreSQL (database test)': await inventoryOf(postgresResources),
  };
}
