import type { ViewStatus } from '../view-model';
import { byId } from './dom';
import { ListView } from './list-view';
import { StreamClient } from './stream-client';
import { TranscriptView } from './transcript-view';

const SOURCE_TEXT: Record<ViewStatus['source']['state'], string> = {
  connecting: 'Connecting to',
  live: 'Live from',
  reconnecting: 'Not connected to the broker, retrying:',
  failed: 'Stopped reading the broker:',
  stopped: 'Stopped reading',
};

function showStatus(status: ViewStatus): void {
  const { source, history } = status;
  const parts = [
    `${SOURCE_TEXT[source.state]} ${source.message ? `${source.message} (${source.description})` : source.description}`,
  ];
  if (history.state === 'loading') parts.push(`loading the history from ${history.description}…`);
  if (history.state === 'ready') parts.push(`history from ${history.description}`);
  if (history.state === 'failed') parts.push(`the history could not be read: ${history.message}`);
  if (status.malformed > 0) parts.push(`${status.malformed} message(s) that were not events skipped`);
  const element = byId('source');
  element.className = `source state-${source.state}`;
  element.textContent = parts.join(' · ');
}

let bannerTimer: number | undefined;
function banner(text: string, ok: boolean): void {
  const element = byId('banner');
  clearTimeout(bannerTimer);
  element.textContent = text;
  element.classList.toggle('ok', ok);
  element.hidden = false;
  if (ok) bannerTimer = window.setTimeout(() => (element.hidden = true), 4000);
}

function routeId(): string | null {
  const match = /^#\/c\/(.+)$/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    return null;
  }
}

let lastHistoryState: ViewStatus['history']['state'] | undefined;
/** The list reloads once the stored history is read (the server fills its list while it loads). */
function onStatus(status: ViewStatus): void {
  showStatus(status);
  if (lastHistoryState === 'loading' && status.history.state !== 'loading') void list.load();
  lastHistoryState = status.history.state;
}

const stream = new StreamClient({
  status: onStatus,
  update: ({ summary, isNew, item }) => {
    list.update(summary, isNew);
    if (item) transcript.append(summary.senderId, item);
  },
  reset: () => void reload(),
  connection: (lost) =>
    lost
      ? banner('Disconnected from the viewer: reconnecting…', false)
      : banner('Reconnected to the viewer.', true),
});
const list = new ListView((cursor) => stream.resumeFrom(cursor));
const transcript = new TranscriptView();

async function openRoute(): Promise<void> {
  const senderId = routeId();
  document.body.classList.toggle('reading', senderId !== null);
  list.setOpen(senderId);
  const cursor = await transcript.open(senderId);
  if (cursor) stream.resumeFrom(cursor);
  stream.open(senderId);
  if (senderId !== null && matchMedia('(max-width: 720px)').matches) byId('transcript').focus();
}

/** After a reset (the server restarted, or the page fell too far behind): everything again. */
async function reload(): Promise<void> {
  stream.restart();
  await list.load();
  await openRoute();
}

window.addEventListener('hashchange', () => void openRoute());
void reload();
