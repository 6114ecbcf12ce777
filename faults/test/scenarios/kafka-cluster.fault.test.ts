import { performance } from 'node:perf_hooks';
import { KafkaEventBroker } from '@broker/kafka';
import {
  type ClusterBrokerId,
  clusterDown,
  clusterUp,
  killClusterBroker,
  requireKafka,
  startClusterBroker,
  stopClusterBroker,
} from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, leaderOf } from '../../src/kafka-topics';
import type { FaultInjection, ProducerScenarioOutcome } from '../../src/producer-scenario';
import { runProducerScenario } from '../../src/producer-scenario';
import { readTopicIntoLedger } from '../../src/wire-readers';
import { expectNoLoss } from './expect-no-loss';

/** The idempotent producer writes every accepted event once, whatever happens to the leaders. */
function expectExactlyOnce(outcome: ProducerScenarioOutcome): void {
  expectNoLoss(outcome);
  expect(outcome.ledger.duplicated, 'events written to the topic more than once').toBe(0);
}

/** Resolves once `partition` of `topic` is led by another broker than `leader`. */
async function leaderMoved(topic: string, partition: number, leader: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await leaderOf(brokers, topic, partition).catch(() => leader);
    if (now !== leader) return;
    if (Date.now() > deadline) throw new Error(`${topic}[${partition}] never got a new leader`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let brokers: string[];
let startedHere = false;
const down = new Set<ClusterBrokerId>();

beforeAll(async () => {
  startedHere = !(await requireKafka('cluster', { timeoutMs: 3000 }).then(
    () => true,
    () => false,
  ));
  if (startedHere) await clusterUp();
  brokers = (await requireKafka('cluster')).brokers;
});

afterAll(async () => {
  for (const id of down) await startClusterBroker(id);
  // Leave the machine as it was: the cluster costs three JVMs.
  if (startedHere) await clusterDown();
});

/** KafkaEventBroker (defaults: idempotent, acks all) on a fresh 3-partition topic replicated 3 times. */
async function kafkaScenario(
  scenario: { id: string; title: string; fault: string; recovery: string },
  inject: (topic: string) => FaultInjection,
) {
  const topic = await createTopic(brokers, scenario.id, { partitions: 3, replicationFactor: 3 });
  const broker = new KafkaEventBroker({ url: brokers, topic, partitionBySender: true });
  return runProducerScenario({
    scenario: { ...scenario, broker: 'Kafka' },
    broker,
    connectFirst: true,
    inject: inject(topic),
    readBack: (ledger) => readTopicIntoLedger(brokers, topic, ledger),
    senders: 30,
  });
}

describe('Kafka faults on the 3-broker cluster (KafkaEventBroker, 500 events/s over 30 conversations, read back with kafkajs)', () => {
  it('leader stop mid-stream, then restart: nothing lost, per-conversation order kept', async () => {
    const outcome = await kafkaScenario(
      {
        id: 'kafka-leader-stop',
        title: 'partition leader stop and restart',
        fault:
          'the leader of partition 0 is stopped (controlled shutdown), publishing goes on, then it is started again',
        recovery: 'leader stopped → all events accepted so far acknowledged by the new leaders',
      },
      (topic) => async () => {
        const leader = (await leaderOf(brokers, topic, 0)) as ClusterBrokerId;
        down.add(leader);
        await stopClusterBroker(leader);
        return {
          healedAt: performance.now(),
          afterRecovery: async () => {
            await startClusterBroker(leader);
            down.delete(leader);
          },
        };
      },
    );
    expectExactlyOnce(outcome);
  });

  it('a broker crashes (SIGKILL) and restarts at once: nothing lost, per-conversation order kept', async () => {
    const outcome = await kafkaScenario(
      {
        id: 'kafka-broker-restart',
        title: 'single-broker crash and restart',
        fault: 'the leader of partition 0 is killed (SIGKILL) mid-stream and started again right away',
        recovery: 'broker killed → all events accepted so far acknowledged',
      },
      (topic) => async () => {
        const leader = (await leaderOf(brokers, topic, 0)) as ClusterBrokerId;
        down.add(leader);
        await killClusterBroker(leader);
        const killedAt = performance.now();
        const restarting = startClusterBroker(leader).then(() => down.delete(leader));
        return { healedAt: killedAt, afterRecovery: () => restarting };
      },
    );
    expectExactlyOnce(outcome);
  });

  it('the leader crashes (SIGKILL) and stays down until its partitions moved, then restarts: every event once, in order', async () => {
    const outcome = await kafkaScenario(
      {
        id: 'kafka-leader-kill',
        title: 'partition leader crash, failover, restart',
        fault:
          'the leader of partition 0 is killed (SIGKILL) mid-stream and kept down until the controller moved its partitions, then started again',
        recovery: 'new leader elected → all events accepted so far acknowledged',
      },
      (topic) => async () => {
        const leader = (await leaderOf(brokers, topic, 0)) as ClusterBrokerId;
        down.add(leader);
        await killClusterBroker(leader);
        await leaderMoved(topic, 0, leader);
        return {
          healedAt: performance.now(),
          afterRecovery: async () => {
            await startClusterBroker(leader);
            down.delete(leader);
          },
        };
      },
    );
    expectExactlyOnce(outcome);
  });
});
