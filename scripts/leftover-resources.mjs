#!/usr/bin/env node
// Tests must leave the shared services as they found them. `npm test` records what exists on
// the local RabbitMQ nodes, Kafka and PostgreSQL before the tests and fails at the end if a
// queue, exchange, vhost, topic, consumer group, database or schema is new, or a queue or topic
// that was there holds more messages (a test published into a shared name). Only what is new
// since the snapshot counts, so a machine with old leftovers does not fail.
//
//   node scripts/leftover-resources.mjs snapshot   # before the tests
//   node scripts/leftover-resources.mjs check      # after them: lists leftovers, exit 1 if any
//   node scripts/leftover-resources.mjs list       # what exists now
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { takeInventory } from './lib/broker-inventory.mjs';
import { compareInventories, describe, likelyAuthors } from './lib/leftover-report.mjs';
import { REPO_ROOT } from './lib/workspace-packages.mjs';

const SNAPSHOT = join(REPO_ROOT, 'node_modules', '.cache', 'leftover-resources', 'snapshot.json');

function printUnreachable(inventory) {
  for (const [service, state] of Object.entries(inventory)) {
    if (!state.reachable) console.log(`  ${service}: not reachable (${state.reason})`);
  }
}

async function snapshot() {
  const inventory = await takeInventory();
  mkdirSync(dirname(SNAPSHOT), { recursive: true });
  writeFileSync(SNAPSHOT, JSON.stringify({ takenAt: new Date().toISOString(), inventory }, null, 2));
  const counts = Object.entries(inventory)
    .filter(([, state]) => state.reachable)
    .map(([service, state]) => `${service}: ${state.resources.length}`);
  console.log(`leftover check: snapshot of the services taken (${counts.join('; ')})`);
  printUnreachable(inventory);
}

async function check() {
  if (!existsSync(SNAPSHOT)) {
    console.error(
      `leftover check: no snapshot at ${SNAPSHOT}. Take one before the tests: node scripts/leftover-resources.mjs snapshot`,
    );
    return 2;
  }
  const { takenAt, inventory: before } = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));
  const { leftovers, unchecked } = compareInventories(before, await takeInventory());
  for (const why of unchecked) console.log(`leftover check: not compared: ${why}`);
  if (leftovers.length === 0) {
    console.log(`leftover check: the tests left nothing behind (compared with the snapshot of ${takenAt})`);
    return 0;
  }
  console.error(`leftover check: the tests left these behind (not there at the snapshot of ${takenAt}):`);
  for (const { service, resource, grewBy } of leftovers) {
    const unit = resource.kind === 'topic' ? 'records' : 'messages';
    const what = grewBy
      ? `${resource.kind} ${resource.name}: ${grewBy} ${unit} more than at the start`
      : describe(resource);
    // A group is named by whoever consumed: its topics often say more about who that was.
    let authors = await likelyAuthors(resource.name);
    for (const topic of resource.topics ?? []) if (authors.length === 0) authors = await likelyAuthors(topic);
    const from =
      authors.length > 0
        ? `probably from: ${authors.join(', ')}`
        : 'no test spells this name: a default of the code under test (a test left a queue, exchange, topic or group unset)?';
    console.error(`  ${service}: ${what}\n      ${from}`);
  }
  console.error(
    `leftover check FAILED: ${leftovers.length} left behind. Each test deletes what it creates (queues with their ` +
      '.dead-letter queues, exchanges, topics, consumer groups, schemas) and never publishes to default names others share.',
  );
  return 1;
}

async function list() {
  for (const [service, state] of Object.entries(await takeInventory())) {
    if (!state.reachable) {
      console.log(`${service}: not reachable (${state.reason})`);
      continue;
    }
    console.log(`${service}:`);
    for (const resource of state.resources) console.log(`  ${describe(resource)}`);
  }
}

const commands = { snapshot, check, list };
const command = commands[process.argv[2]];
if (!command) {
  console.error('usage: node scripts/leftover-resources.mjs snapshot|check|list');
  process.exit(2);
}
process.exitCode = (await command()) ?? 0;
