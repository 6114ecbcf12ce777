import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ConsumerTask =
  | { broker: 'kafka'; url: string; topic: string; groupId: string; sessionTimeoutMs: number }
  | { broker: 'rabbitmq'; url: string; queue: string; exchange: string };

const childScript = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** A running consumer process (see consumer-child.ts). */
export class ConsumerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly exited: Promise<number | null>,
  ) {}

  /** Starts a consumer process; `onEvent` gets the body of every event it handles, in order. */
  static async start(task: ConsumerTask, onEvent: (body: string) => void): Promise<ConsumerProcess> {
    const child = fork(childScript, [], {
      execArgv: ['--import', tsxLoader],
      env: { ...process.env, FAULTS_CONSUMER_TASK: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: { ready?: boolean; body?: string }) => {
        if (message.ready) resolve();
        else if (message.body !== undefined) onEvent(message.body);
      });
      void exited.then((code) =>
        reject(new Error(`the consumer process exited (${code}) before it started`)),
      );
    });
    return new ConsumerProcess(child, exited);
  }

  /** A crash: SIGKILL, nothing settled or closed. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop: in-flight events are finished and acknowledged. */
  async stop(): Promise<void> {
    this.child.send('stop');
    await this.exited;
  }
}
