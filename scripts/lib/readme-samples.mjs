// Type-checks the TypeScript samples of the READMEs against the built packages: every ```ts
// block is compiled as a module of its own, as if it were a file next to its README (so
// `@broker/*` resolves to that folder's installed packages and their dist/*.d.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository's type declarations (`@types/node`), wherever the README is. */
const TYPE_ROOTS = [fileURLToPath(new URL('../../node_modules/@types', import.meta.url))];

/** Opens a sample's hidden context: names it uses that the page does not show (`declare const crm: ...`). */
const CONTEXT_START = '<!-- sample-context:';
const FENCE = /^```(ts|typescript)\s*$/;

/**
 * The READMEs whose samples are checked: the repository's, every package's and every example's.
 *
 * @param {string} root
 * @returns {string[]}
 */
export function readmeFiles(root) {
  const files = [join(root, 'README.md')];
  for (const folder of ['packages', 'examples']) {
    const parent = join(root, folder);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const readme = join(parent, entry.name, 'README.md');
      if (entry.isDirectory() && existsSync(readme)) files.push(readme);
    }
  }
  return files.filter((file) => existsSync(file));
}

/**
 * @typedef {{ line: number, code: string, context: string, contextLine: number }} Sample
 * `line`: the README line of the sample's first line of code (1-based); `context`: the text of
 * a `<!-- sample-context: ... -->` comment right above the fence ('' without one), which starts
 * on `contextLine`.
 */

/**
 * The ```ts blocks of a Markdown text.
 *
 * @param {string} markdown
 * @returns {Sample[]}
 */
export function extractSamples(markdown) {
  const lines = markdown.split('\n');
  /** @type {Sample[]} */
  const samples = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i] ?? '')) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end === -1) throw new Error(`line ${i + 1}: a \`\`\`ts block that never ends`);
    let context = '';
    let contextLine = 0;
    if ((lines[i - 1] ?? '').trimEnd().endsWith('-->')) {
      const start = lines.slice(0, i).findLastIndex((line) => line.startsWith(CONTEXT_START));
      if (start !== -1 && lines.slice(start, i - 1).every((line) => !line.includes('-->'))) {
        context = lines
          .slice(start, i)
          .join('\n')
          .slice(CONTEXT_START.length)
          .replace(/-->\s*$/, '');
        contextLine = start + 1;
      }
    }
    samples.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n'), context, contextLine });
    i = end;
  }
  return samples;
}

function compilerOptions() {
  return {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    typeRoots: TYPE_ROOTS,
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  };
}

/**
 * @typedef {{ file: string, line: number, column: number, code: number, message: string }} SampleProblem
 * `file` relative to the root; `line` and `column` in the README (1-based).
 */

/**
 * Compiles every sample of `files` (default: {@link readmeFiles}) and returns what TypeScript
 * says about them, placed in the README.
 *
 * @param {string} root where the READMEs' names are relative to
 * @param {string[]} [files]
 * @returns {{ samples: number, problems: SampleProblem[] }}
 */
export function checkReadmeSamples(root, files = readmeFiles(root)) {
  /** @type {Map<string, { readme: string, sample: Sample, text: string }>} */
  const virtual = new Map();
  for (const readme of files) {
    for (const sample of extractSamples(readFileSync(readme, 'utf8'))) {
      // A file next to the README: imports resolve as they would for code in that folder.
      const path = join(dirname(readme), `README.md.sample-line-${sample.line}.ts`);
      virtual.set(path, { readme, sample, text: `${sample.context}\n${sample.code}\n` });
    }
  }
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtual.get(path)?.text ?? readFile.call(host, path);
  host.getSourceFile = (path, language, ...rest) => {
    const entry = virtual.get(path);
    return entry
      ? ts.createSourceFile(path, entry.text, language, true)
      : getSourceFile.call(host, path, language, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  /** @type {SampleProblem[]} */
  const problems = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const entry = diagnostic.file ? virtual.get(diagnostic.file.fileName) : undefined;
    if (!entry || !diagnostic.file || diagnostic.start === undefined) {
      problems.push({
        file: diagnostic.file?.fileName ?? '(compiler)',
        line: 0,
        column: 0,
        code: diagnostic.code,
        message,
      });
      continue;
    }
    const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const contextLines = entry.sample.context.split('\n').length;
    const line =
      at.line < contextLines
        ? entry.sample.contextLine + at.line
        : entry.sample.line + at.line - contextLines;
    problems.push({
      file: relative(root, entry.readme),
      line,
      column: at.character + 1,
      code: diagnostic.code,
      message,
    });
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { samples: virtual.size, problems };
}
