import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMessageSource } from '../src/index';
import { describeMessageSourceContract } from '../src/testing/index';

describeMessageSourceContract('FileMessageSource', {
  redelivers: false,
  async setup() {
    const folder = await mkdtemp(join(tmpdir(), 'file-source-'));
    const path = join(folder, 'rasa_event.log');
    await writeFile(path, '');
    return {
      open: () => new FileMessageSource({ path, fromBeginning: true, pollIntervalMs: 20 }),
      publish: (bodies) => appendFile(path, bodies.map((body) => `${body}\n`).join('')),
      teardown: () => rm(folder, { recursive: true, force: true }),
    };
  },
});
