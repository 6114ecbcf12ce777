import { spawn } from 'node:child_process';
import type { RunMeasurement } from './run-measurement';

/**
 * Runs one of the Python anchor scripts (bench/python/*.py) with `input` as JSON on stdin and
 * returns the measurement it prints as JSON on stdout (same fields as a Node run; no
 * event-loop numbers).
 */
export function runPythonAnchor(python: string, script: string, input: unknown): Promise<RunMeasurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) =>
      reject(
        new Error(
          `cannot run ${python} (${error.message}); set BROKER_PYTHON to a python3 with pika and kafka`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(`${script} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
        );
        return;
      }
      try {
        resolve(JSON.parse(stdout) as RunMeasurement);
      } catch {
        reject(new Error(`${script} printed no JSON result: ${stdout.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
