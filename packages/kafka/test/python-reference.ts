import { execFileSync } from 'node:child_process';

/**
 * A Python 3 that has Debian's python3-kafka (kafka-python), used as the reference
 * implementation in tests. `python3` on PATH may be another installation (pyenv), so the Debian
 * interpreter is tried first.
 */
export function pythonWithKafka(): string {
  const candidates = [process.env.BROKER_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => typeof c === 'string' && c !== '',
  );
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['-c', 'import kafka'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `No Python 3 with kafka-python found (tried ${candidates.join(', ')}). ` +
      "Install Debian's package: apt-get install -y python3-kafka (or set BROKER_PYTHON to an interpreter that has it).",
  );
}

/** Runs a Python script with JSON on stdin and returns its JSON output. */
export function runPython<T>(script: string, input: unknown): T {
  const output = execFileSync(pythonWithKafka(), ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  return JSON.parse(output) as T;
}
