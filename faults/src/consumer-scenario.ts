import { performance } from 'node:perf_hooks';
import type { EventBroker } from '@broker/core';
import { ConsumerProcess, type ConsumerTask } from './consumer-process';
import { EventLedger, type LedgerReport } from './event-ledger';
import { readNumberedEvent } from './numbered-events';
import { recordScenario } from './scenario-report';
import type { FaultScenarioResult } from './scenario-result';
import { SteadyPublisher } from './steady-publisher';

export interface ConsumerScenarioOutcome {
  result: FaultScenarioResult;
  ledger: LedgerReport;
  /** Events the producer refused or did not deliver (the producer is not what is tested here; must be 0). */
  producerLosses: number;
}

/**
 * Our consumer crashes mid-stream and a new process takes over: a steady publisher (500
 * events/s over 20 conversations) keeps producing; the first consumer process is killed
 * (SIGKILL) after it handled 1,000 events; a second one starts at once on the same queue or
 * consumer group. The ledger holds what our consumers handled, across both processes.
 * Recovery is from the kill until the new process has handled everything accepted before it.
 */
export async function runConsumerRestartScenario(options: {
  scenario: Pick<FaultScenarioResult, 'id' | 'title' | 'broker' | 'fault' | 'recovery'>;
  producer: EventBroker & { connect(): Promise<void> };
  task: ConsumerTask;
}): Promise<ConsumerScenarioOutcome> {
  const started = performance.now();
  const ledger = new EventLedger();
  const waiters = new Set<() => void>();
  const onEvent = (body: string) => {
    ledger.seen(readNumberedEvent(body));
    for (const check of waiters) check();
  };
  const until = (done: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `${what} within ${timeoutMs} ms (${JSON.stringify(ledger.report().lostIds.slice(0, 5))} missing)`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });

  const { producer } = options;
  await producer.connect();
  const publisher = new SteadyPublisher(producer, ledger, { senders: 20, rate: 500 }).start();
  let second: ConsumerProcess | undefined;
  let recoveryMs: number;
  let refused: number;
  try {
    const first = await ConsumerProcess.start(options.task, onEvent);
    await until(
      () => ledger.report().seen >= 1000,
      120_000,
      'the first consumer did not handle 1,000 events',
    );
    await first.kill();
    const killedAt = performance.now();
    const beforeKill = ledger.snapshot();
    second = await ConsumerProcess.start(options.task, onEvent);
    await until(() => ledger.hasSeenAll(beforeKill), 120_000, 'the restarted consumer did not catch up');
    recoveryMs = performance.now() - killedAt;
    await publisher.acceptedMore(500);
  } finally {
    refused = publisher.stop().refused;
    await producer.flush(60_000).catch(() => undefined);
  }
  const close = await producer.close();
  try {
    await until(() => ledger.complete(), 120_000, 'the consumer did not receive every accepted event');
  } finally {
    await second?.stop();
  }
  const report = ledger.report();
  const result = recordScenario(options.scenario, report, {
    recoveryMs,
    durationMs: performance.now() - started,
  });
  return {
    result,
    ledger: report,
    // The close report lists what failed or was dropped over the producer's life: the counters say it all.
    producerLosses: refused + close.stats.failed + close.stats.dropped,
  };
}
