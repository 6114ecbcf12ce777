import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  /** 1, 5 and 15 minute load averages when this was read. */
  loadAverage: [number, number, number];
}

/** CPU model (from /proc/cpuinfo when Node only knows the family), cores, RAM, kernel and load. */
export function machineInfo(): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const models = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (models?.[1]) cpu = models[1].trim();
  } catch {
    // Not Linux: keep what Node reports.
  }
  const [one, five, fifteen] = loadavg();
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${process.platform} ${release()}`,
    loadAverage: [round2(one ?? 0), round2(five ?? 0), round2(fifteen ?? 0)],
  };
}

/** The version of an npm package as seen from `fromDirectory` (where the benchmark imports it). */
export function installedVersion(name: string, fromDirectory: string): string {
  const require = createRequire(join(fromDirectory, 'package.json'));
  let directory = dirname(require.resolve(name));
  while (!existsSync(join(directory, 'package.json')) || readName(directory) !== name) {
    const parent = dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
  return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version;
}

function readName(directory: string): string | undefined {
  return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string }).name;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The Python that has Debian's `python3-pika` and `python3-kafka`: `$BROKER_PYTHON`, else the one
 * `services/up.sh` found, else `/usr/bin/python3` (pyenv's `python3` on PATH does not see them).
 */
export function pythonExecutable(servicesPython?: string | null): string {
  return process.env.BROKER_PYTHON ?? servicesPython ?? '/usr/bin/python3';
}

export interface PythonVersions {
  python: string;
  pika: string;
  kafkaPython: string;
}

/** Versions of Python and its pika / kafka-python; throws how to install them when missing. */
export function pythonVersions(python: string): PythonVersions {
  const script =
    'import json, platform, pika, kafka; print(json.dumps({"python": platform.python_version(), ' +
    '"pika": pika.__version__, "kafkaPython": kafka.__version__}))';
  try {
    return JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' })) as PythonVersions;
  } catch (error) {
    throw new Error(
      `${python} cannot import pika and kafka (${(error as Error).message.split('\n')[0]}). ` +
        'Install Debian\'s clients with "apt-get install -y python3-pika python3-kafka", or set BROKER_PYTHON.',
    );
  }
}
