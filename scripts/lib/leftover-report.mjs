import { runCommand } from './run-command.mjs';
import { REPO_ROOT } from './workspace-packages.mjs';

/**
 * @typedef {import('./broker-inventory.mjs').Inventory} Inventory
 * @typedef {import('./broker-inventory.mjs').Resource} Resource
 *
 * @typedef {object} Leftover
 * @property {string} service
 * @property {Resource} resource
 * @property {number} [grewBy] set when the resource existed before and only its count grew
 *
 * @typedef {object} Comparison
 * @property {Leftover[]} leftovers
 * @property {string[]} unchecked services that could not be compared, with why
 */

const keyOf = (resource) => `${resource.kind}\u0000${resource.name}`;

/** `queue q1 (3 messages)`, `consumer group g (0 members, offsets on: t)`. */
export function describe(resource) {
  const what = `${resource.kind} ${resource.name}`;
  if (resource.kind === 'queue') return `${what} (${resource.count} messages)`;
  if (resource.kind === 'topic') return `${what} (${resource.count} records)`;
  if (resource.kind === 'consumer group') {
    return `${what} (${resource.members} members, offsets on: ${resource.topics.join(', ') || 'nothing'})`;
  }
  return what;
}

/**
 * What exists now and did not at the snapshot, and queues/topics that existed but hold more
 * messages now (a test published into a shared name). A service is compared only when it
 * answered both times: a node that is down is reported, not blamed.
 *
 * @param {Inventory} before
 * @param {Inventory} after
 * @returns {Comparison}
 */
export function compareInventories(before, after) {
  /** @type {Leftover[]} */
  const leftovers = [];
  const unchecked = [];
  for (const [service, now] of Object.entries(after)) {
    const then = before[service];
    if (!then?.reachable) {
      // Started by the tests themselves (the Kafka cluster): what it holds is shown, not blamed.
      const holds = now.reachable
        ? `; it holds now: ${now.resources.map(describe).join(', ') || 'nothing'}`
        : '';
      unchecked.push(`${service}: not reachable at the snapshot${holds}`);
      continue;
    }
    if (!now.reachable) {
      unchecked.push(`${service}: not reachable now (${now.reason})`);
      continue;
    }
    const existed = new Map(then.resources.map((resource) => [keyOf(resource), resource]));
    for (const resource of now.resources) {
      const old = existed.get(keyOf(resource));
      if (!old) leftovers.push({ service, resource });
      else if ((resource.count ?? 0) > (old.count ?? 0)) {
        leftovers.push({ service, resource, grewBy: resource.count - (old.count ?? 0) });
      }
    }
  }
  return { leftovers, unchecked };
}

/** Random parts tests add to names (UUIDs, hex ids, counters, timestamps), which no source file spells out. */
const RANDOM_PART =
  /([-_.]?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*[0-9][0-9a-f]*))+$/i;
const MIN_STEM = 5;
/** More files than this spell a stem: too common a word to point at anyone. */
const MAX_AUTHORS = 5;

/**
 * The files outside the packages' sources that spell `name` or a part of it: the tests,
 * benchmarks, examples or fault scenarios that most likely made it. Names come from template
 * strings such as `kafka-test-${label}-${uuid}`, so after the name without its random parts
 * come ever shorter starts (`kafka-test-`: the helper) and ends (`leader-stop`: the test).
 *
 * @param {string} name
 * @returns {Promise<string[]>}
 */
export async function likelyAuthors(name) {
  const bare = name.replace(/\.dead-letter$/, '').replace(/^[^/]*\//, '');
  const stem = bare.replace(RANDOM_PART, '');
  const parts = stem.split(/(?<=[-_.])/);
  const starts = parts.map((_, i) => parts.slice(0, parts.length - i).join(''));
  const ends = parts.slice(1).map((_, i) =>
    parts
      .slice(i + 1)
      .join('')
      .replace(/^[-_.]+/, ''),
  );
  const found = new Set(await firstMention([bare, ...starts]));
  for (const file of await firstMention(ends)) found.add(file);
  return [...found];
}

/** The files spelling the first candidate that some file spells, unless too many do. */
async function firstMention(candidates) {
  for (const candidate of candidates) {
    if (candidate.replace(/[-_.]+$/, '').length < MIN_STEM) continue;
    const files = await filesMentioning(candidate);
    if (files.length > MAX_AUTHORS) return [];
    if (files.length > 0) return files;
  }
  return [];
}

async function filesMentioning(text) {
  const { stdout } = await runCommand(
    'git',
    [
      'grep',
      '-l',
      '-F',
      '-e',
      text,
      '--',
      ...['ts', 'mjs', 'cjs', 'js', 'py', 'sh', 'yml'].map((extension) => `:(glob)**/*.${extension}`),
      ':(exclude,glob)packages/*/src/**',
      // This check and its test spell example names; they make nothing.
      ':(exclude,glob)**/leftover-*',
    ],
    { cwd: REPO_ROOT },
  ).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean);
}
