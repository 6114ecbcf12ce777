import { readFileSync } from 'node:fs';
import { ConfigError } from '@broker/core';
import { readEventInput } from '../publish/read-event-input';
import type { ExportableEvent } from './export-events';

export interface ExportFilter {
  conversationIds?: readonly string[];
  minimumTimestamp?: number;
  maximumTimestamp?: number;
}

/**
 * The events of a tracker dump file (one tracker, a list of trackers, or JSON lines of them),
 * filtered as `rasa export` filters (minimum <= timestamp < maximum) and sorted by timestamp.
 */
export function trackerDumpEvents(path: string, filter: ExportFilter = {}): ExportableEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the tracker dump ${path}: ${(error as Error).message}.`, {
      key: 'tracker-dump',
      cause: error,
    });
  }
  const ids =
    filter.conversationIds && filter.conversationIds.length > 0 ? new Set(filter.conversationIds) : undefined;
  const events = readEventInput(text, { name: path })
    .map((item) => ({
      senderId: item.senderId,
      body: item.body,
      timestamp: (JSON.parse(item.body) as { timestamp?: number }).timestamp ?? null,
    }))
    .filter(
      (e) =>
        (!ids || ids.has(e.senderId)) &&
        (filter.minimumTimestamp === undefined || (e.timestamp ?? 0) >= filter.minimumTimestamp) &&
        (filter.maximumTimestamp === undefined || (e.timestamp ?? 0) < filter.maximumTimestamp),
    );
  // Array.prototype.sort is stable: equal timestamps keep the dump's order.
  return events.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
}
