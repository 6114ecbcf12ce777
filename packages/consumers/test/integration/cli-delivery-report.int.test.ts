import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../helpers/run-cli';
import {
  deleteKafkaTopics,
  deleteRabbit,
  endpointsFile,
  loadServices,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { coreFixture, wireBody } from '../helpers/wire';

// `broker publish` and `broker export` report ok only when the broker confirmed every event they
// handed it, against the real brokers: a RabbitMQ queue that refuses publishes beyond its
// length, and a Kafka listener that refuses the password.

const WRONG_PASSWORD = 'not-the-password';
const trackerDump = coreFixture('rasa/trackers/tracker_moodbot.json');
let url: string;
const created: { queue: string; exchange: string }[] = [];
const topics: string[] = [];

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
});

afterAll(async () => {
  for (const names of created) await deleteRabbit(url, names);
  await deleteKafkaTopics(topics);
});

/** An endpoints file for a fresh queue that holds `maxLength` messages and nacks every publish beyond. */
function fullQueue(maxLength: number) {
  const names = rabbitNames();
  created.push(names);
  const endpoints = endpointsFile({
    ...pikaEndpoint(url, names),
    queue_arguments: { 'x-max-length': maxLength, 'x-overflow': 'reject-publish' },
  });
  return { names, endpoints };
}

/** An endpoints file for Kafka's SASL listener with a password it refuses. */
function wrongKafkaPassword(): string {
  const kafka = loadServices().kafka.single;
  const topic = `consumers-delivery-${randomUUID().slice(0, 8)}`;
  topics.push(topic);
  return endpointsFile({
    type: 'kafka',
    url: kafka.saslPlaintext,
    topic,
    security_protocol: 'SASL_PLAINTEXT',
    sasl_mechanism: 'PLAIN',
    sasl_username: kafka.users.plain.username,
    sasl_password: WRONG_PASSWORD,
  });
}

function lastJson(output: string): Record<string, unknown> {
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string);
}

/**
 * A run against Kafka's SASL listener with a wrong password: the command connects before it
 * hands the broker anything, so it stops there: exit 4, not ok, the refusal named with its code,
 * the password never shown.
 */
function expectRefusedLogin(result: CliResult): void {
  expect(result.code, result.stderr).toBe(4);
  const printed = lastJson(result.stdout);
  expect(printed).toMatchObject({ ok: false, error: { code: 'BROKER_AUTHENTICATION', exitCode: 4 } });
  expect(String((printed.error as { message: string }).message)).toMatch(/SASL PLAIN authentication/);
  expect(result.stdout + result.stderr).not.toContain(WRONG_PASSWORD);
}

const lines = (count: number) =>
  `${Array.from({ length: count }, () => wireBody('delivery-report')).join('\n')}\n`;

describe('broker publish reports what the broker did not confirm', () => {
  it('into a queue full under x-overflow reject-publish: ok false, confirmed < published, exit 1', async () => {
    const { names, endpoints } = fullQueue(1);
    const result = await runCli(['publish', '-e', endpoints, '--json'], { input: lines(5) });
    expect(result.code, result.stderr).toBe(1);
    expect(lastJson(result.stdout)).toMatchObject({
      command: 'publish',
      ok: false,
      published: 5,
      confirmed: 1,
      undelivered: 4,
      notPublished: 0,
    });
    expect(String(lastJson(result.stdout).lastError)).toMatch(/nacked/);
    expect(await queueDepth(url, names.queue)).toBe(1);
  }, 60_000);

  it('says so on stderr without --json', async () => {
    const { endpoints } = fullQueue(1);
    const result = await runCli(['publish', '-e', endpoints], { input: lines(3) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /3 event\(s\) of 1 conversation\(s\) published, 1 confirmed by the broker, 2 NOT delivered/,
    );
    expect(result.stderr).toMatch(/2 of 3 event\(s\) were not confirmed by the broker/);
  }, 60_000);

  it('to Kafka with a wrong SASL password: ok false, nothing handed to the broker, exit 4 (cannot connect), password never shown', async () => {
    const result = await runCli(['publish', '-e', wrongKafkaPassword(), '--json'], { input: lines(3) });
    expectRefusedLogin(result);
  }, 60_000);
});

describe('broker export reports what the broker did not confirm', () => {
  it('into a queue full under x-overflow reject-publish: ok false, confirmed < published, exit 1', async () => {
    const { endpoints } = fullQueue(2);
    const result = await runCli(['export', '-e', endpoints, '--tracker-dump', trackerDump, '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(lastJson(result.stdout)).toMatchObject({
      command: 'export',
      ok: false,
      confirmed: 2,
      undelivered: 5,
    });
  }, 60_000);

  it('to Kafka with a wrong SASL password: ok false, nothing handed to the broker, exit 4 (cannot connect)', async () => {
    const result = await runCli([
      'export',
      '-e',
      wrongKafkaPassword(),
      '--tracker-dump',
      trackerDump,
      '--json',
    ]);
    expectRefusedLogin(result);
  }, 60_000);
});
