// The end of `npm test` fails when a test left a queue, exchange, topic, group or schema on the
// shared services: what counts as a leftover, and how the report points at the test.
import { randomUUID } from 'node:crypto';
import { compareInventories, likelyAuthors } from 'broker-scripts/lib/leftover-report.mjs';
import { describe, expect, it } from 'vitest';

const MAIN = 'RabbitMQ main (rabbit@localhost)';
const CLUSTER = 'Kafka cluster (localhost:19092)';

describe('compareInventories', () => {
  it('reports what is new and what grew; what was there before and did not grow is not blamed', () => {
    const before = {
      [MAIN]: {
        reachable: true as const,
        resources: [
          { kind: 'queue', name: 'rasa_core_events', count: 23_000 },
          { kind: 'queue', name: 'old-leftover', count: 3 },
          { kind: 'exchange', name: 'rasa-exchange' },
        ],
      },
    };
    const after = {
      [MAIN]: {
        reachable: true as const,
        resources: [
          { kind: 'queue', name: 'rasa_core_events', count: 23_008 },
          { kind: 'queue', name: 'old-leftover', count: 0 },
          { kind: 'exchange', name: 'rasa-exchange' },
          { kind: 'queue', name: 'wire-1.dead-letter', count: 0 },
          // Same name, other kind: still new.
          { kind: 'exchange', name: 'old-leftover' },
        ],
      },
    };
    const { leftovers, unchecked } = compareInventories(before, after);
    expect(unchecked).toEqual([]);
    expect(leftovers).toEqual([
      { service: MAIN, resource: { kind: 'queue', name: 'rasa_core_events', count: 23_008 }, grewBy: 8 },
      { service: MAIN, resource: { kind: 'queue', name: 'wire-1.dead-letter', count: 0 } },
      { service: MAIN, resource: { kind: 'exchange', name: 'old-leftover' } },
    ]);
  });

  it('does not compare a node that was down at the snapshot or is down now, and says so', () => {
    const down = { reachable: false as const, reason: 'connect ECONNREFUSED 127.0.0.1:19092' };
    const cluster = { reachable: true as const, resources: [{ kind: 'topic', name: 't', count: 2 }] };
    const later = compareInventories({ [CLUSTER]: down }, { [CLUSTER]: cluster });
    expect(later.leftovers).toEqual([]);
    expect(later.unchecked).toEqual([
      `${CLUSTER}: not reachable at the snapshot; it holds now: topic t (2 records)`,
    ]);

    const gone = compareInventories({ [CLUSTER]: cluster }, { [CLUSTER]: down });
    expect(gone.leftovers).toEqual([]);
    expect(gone.unchecked).toEqual([`${CLUSTER}: not reachable now (${down.reason})`]);
  });
});

describe('likelyAuthors', () => {
  it('finds the test from a name built of a helper prefix, a label and a UUID', async () => {
    const authors = await likelyAuthors(`kafka-test-leader-stop-${randomUUID()}`);
    expect(authors).toContain('packages/kafka/test/integration/kafka-services.ts');
    expect(authors).toContain('packages/kafka/test/integration/cluster-faults.int.test.ts');
  });

  it("finds a fixed name's test through its dead-letter queue", async () => {
    expect(await likelyAuthors('queue-1.dead-letter')).toContain(
      'packages/pika/test/integration/rasa-fixture.int.test.ts',
    );
  });

  it('names nobody for a name no test spells, nor for a word too many files use', async () => {
    expect(await likelyAuthors(`zqxjvw-${randomUUID()}`)).toEqual([]);
    expect(await likelyAuthors('queue')).toEqual([]);
  });
});
