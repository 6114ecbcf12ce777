import type { TcpProxy } from 'broker-test-kit';
import { dropSchema, sql } from './database';
import type { CliRun } from './run-cli';
import { deleteKafkaTopics, deleteRabbit } from './services';

/**
 * What a suite of command-line tests makes (queues, topics, databases, schemas, proxies, running
 * commands), recorded as it is made and removed in one place after the suite.
 */
export class TestResources {
  readonly rabbits: { queue: string; exchange: string }[] = [];
  readonly topics: string[] = [];
  readonly databases: string[] = [];
  readonly schemas: string[] = [];
  readonly proxies: TcpProxy[] = [];
  readonly runs: CliRun[] = [];

  /** Stops the commands first: a consumer still running would declare its queue again after it is deleted. */
  async remove(rabbitUrl: string): Promise<void> {
    for (const run of this.runs) {
      run.kill();
      await run.done;
    }
    for (const proxy of this.proxies) await proxy.close().catch(() => undefined);
    for (const names of this.rabbits) await deleteRabbit(rabbitUrl, names);
    await deleteKafkaTopics(this.topics);
    for (const name of this.databases) await sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    for (const name of this.schemas) await dropSchema(name);
  }
}
