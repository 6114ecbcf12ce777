// Test-side view of the local services started by `pnpm services:up` (services/up.sh).
// Dependency-free; tests import it through the package, e.g.
//   import { loadServices, requireKafka } from 'broker-test-kit';
// Types: services/endpoints.d.mts. Documentation: services/README.md.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { amqpHandshake } from './probe-amqp.mjs';
import { probeKafka } from './probe-kafka.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const START_HINT = 'pnpm services:up   (or: bash services/up.sh)';

/** Same rule as services/lib.sh: $BROKER_SERVICES_DIR, else $XDG_CACHE_HOME/broker-services, else ~/.cache/broker-services. */
export function servicesStateDir(env = process.env) {
  if (env.BROKER_SERVICES_DIR) return resolve(env.BROKER_SERVICES_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'broker-services');
}

/** The parsed $STATE/services.json; throws an Error saying how to start the services when it is missing. */
export function loadServices() {
  const file = join(servicesStateDir(), 'services.json');
  if (!existsSync(file)) {
    throw new Error(
      `The local test services are not set up: ${file} does not exist. Start them with: ${START_HINT}`,
    );
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read ${file} (${err.message}). Recreate it with: ${START_HINT}`);
  }
}

function hostPort(address) {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/**
 * Resolves when the RabbitMQ node answers an AMQP handshake within `timeoutMs`; otherwise rejects
 * with an Error naming the node, the address and the command that starts it. Never skips.
 * @param {'main'|'fault'|'tls'} which
 */
export async function requireRabbitMq(which = 'main', { timeoutMs = 5000 } = {}) {
  const s = loadServices();
  const r = s.rabbitmq[which];
  if (!r) throw new Error(`unknown RabbitMQ node '${which}' (expected main, fault or tls)`);
  let target;
  let how;
  if (which === 'tls') {
    target = {
      host: r.host,
      port: r.port,
      tls: { ca: s.tls.ca, cert: s.tls.clientCert, key: s.tls.clientKey, servername: r.host },
    };
    how = `bash services/rabbitmq-node.sh start tls   (or: ${START_HINT})`;
  } else if (which === 'fault') {
    target = { host: r.host, port: r.port };
    how = `bash services/rabbitmq-node.sh start fault   (or: ${START_HINT})`;
  } else {
    target = { host: r.host, port: r.port };
    how = `rabbitmq-server -detached   (or: ${START_HINT})`;
  }
  const where = `${target.tls ? 'amqps' : 'amqp'}://${target.host}:${target.port}`;
  try {
    await amqpHandshake({ ...target, timeoutMs });
  } catch (err) {
    throw new Error(
      `RabbitMQ ${which} node${r.node ? ` (${r.node})` : ''} does not answer at ${where}: ${err.message}. Start it with: ${how}`,
    );
  }
  return r;
}

/**
 * Resolves when Kafka answers ApiVersions (single: on the PLAINTEXT listener; cluster: on all
 * three brokers) within `timeoutMs`; otherwise rejects naming the service, address and the
 * command that starts it. Never skips.
 * @param {'single'|'cluster'} which
 */
export async function requireKafka(which = 'single', { timeoutMs = 5000 } = {}) {
  const s = loadServices();
  const k = s.kafka[which];
  if (!k) throw new Error(`unknown Kafka service '${which}' (expected single or cluster)`);
  const addresses = which === 'cluster' ? k.brokers : [k.plaintext];
  const how =
    which === 'cluster'
      ? 'bash services/kafka-cluster.sh up   (or clusterUp() from services/endpoints.mjs)'
      : START_HINT;
  const results = await Promise.allSettled(
    addresses.map((a) => probeKafka({ ...hostPort(a), metadata: false, timeoutMs })),
  );
  const failed = results
    .map((r, i) => (r.status === 'rejected' ? `${addresses[i]}: ${r.reason.message}` : null))
    .filter(Boolean);
  if (failed.length) {
    throw new Error(
      `Kafka ${which === 'cluster' ? 'test cluster' : 'single broker'} does not answer ApiVersions (${failed.join('; ')}). Start it with: ${how}`,
    );
  }
  return k;
}

function tail(text, lines = 30) {
  return String(text ?? '')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .join('\n');
}

function runScript(script, args, timeoutMs) {
  const path = join(here, script);
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [path, ...args],
      { env: process.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.killed ? `timed out after ${timeoutMs} ms` : `exit code ${err.code}`;
          reject(
            new Error(
              `bash services/${script} ${args.join(' ')} failed (${why}):\n${tail(stderr || stdout)}`,
            ),
          );
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
  });
}

const NODES = new Set(['fault', 'tls']);
function node(name) {
  if (!NODES.has(name)) throw new Error(`unknown RabbitMQ test node '${name}' (expected fault or tls)`);
  return name;
}
function brokerId(n) {
  if (![1, 2, 3].includes(Number(n))) throw new Error(`cluster broker must be 1, 2 or 3 (got ${n})`);
  return String(n);
}

/** Stops then starts a RabbitMQ test node; resolves once it answers the AMQP handshake again. */
export const restartRabbitNode = async (name) =>
  runScript('rabbitmq-node.sh', ['restart', node(name)], 180_000);
/** Gracefully stops a RabbitMQ test node (`rabbitmqctl stop`). */
export const stopRabbitNode = async (name) => runScript('rabbitmq-node.sh', ['stop', node(name)], 120_000);
/** Starts a RabbitMQ test node; resolves once it answers the AMQP handshake. */
export const startRabbitNode = async (name) => runScript('rabbitmq-node.sh', ['start', node(name)], 180_000);
/** SIGKILLs the node's Erlang VM: clients see their sockets die without a connection.close. */
export const killRabbitNode = async (name) => runScript('rabbitmq-node.sh', ['kill', node(name)], 60_000);
/** `rabbitmqctl close_all_connections "test"` on the node: clients get connection.close (320). */
export const closeRabbitConnections = async (name) =>
  runScript('rabbitmq-node.sh', ['close-connections', node(name)], 120_000);
/** Raises the node's memory alarm (a watermark it is always above): RabbitMQ blocks publishing connections. */
export const raiseRabbitMemoryAlarm = async (name) =>
  runScript('rabbitmq-node.sh', ['memory-alarm-on', node(name)], 120_000);
/** Restores the node's memory watermark: the alarm clears and blocked connections are unblocked. */
export const clearRabbitMemoryAlarm = async (name) =>
  runScript('rabbitmq-node.sh', ['memory-alarm-off', node(name)], 120_000);

/** Starts the 3-broker Kafka cluster (idempotent); resolves when all 3 brokers serve metadata. */
export const clusterUp = async () => runScript('kafka-cluster.sh', ['up'], 240_000);
/** Stops the 3-broker Kafka cluster (data kept). */
export const clusterDown = async () => runScript('kafka-cluster.sh', ['down'], 180_000);
/** Stops cluster broker n (SIGTERM, SIGKILL after 30 s). */
export const stopClusterBroker = async (n) => runScript('kafka-cluster.sh', ['stop', brokerId(n)], 120_000);
/** SIGKILLs cluster broker n. */
export const killClusterBroker = async (n) => runScript('kafka-cluster.sh', ['kill', brokerId(n)], 60_000);
/** Starts cluster broker n again on its data dir; resolves when it serves metadata with 3 brokers. */
export const startClusterBroker = async (n) => runScript('kafka-cluster.sh', ['start', brokerId(n)], 180_000);

/** A local port nothing listens on (bound, then freed): a connection to it is refused at once. */
export function closedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
