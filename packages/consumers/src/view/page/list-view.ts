import type { ConversationPage, ConversationSummary } from '../view-model';
import { fetchList, type ListFilters, PAGE_SIZE } from './api';
import { byId, conversationHash, h, timeElement } from './dom';

/** The latest duration of `name`, for benchmarks (`performance.getEntriesByName`); earlier ones are dropped. */
function measure(name: string, start: number): void {
  performance.clearMeasures(name);
  performance.measure(name, { start, end: performance.now() });
}

function newestFirst(a: ConversationSummary, b: ConversationSummary): number {
  return (b.lastAt ?? -Infinity) - (a.lastAt ?? -Infinity) || (a.senderId < b.senderId ? -1 : 1);
}

/**
 * The conversation list: one page from the server, kept live by the stream's updates. On the
 * first page an update moves its conversation to where it now sorts; on later pages rows are
 * updated in place (the page the reader looks at does not shift under them).
 */
export class ListView {
  readonly filters: ListFilters = { sender: '', intent: '', page: 1 };
  private rows: ConversationSummary[] = [];
  private total = 0;
  private readonly intents = new Set<string>();
  private openId: string | null = null;
  private dirty = false;
  private refetchTimer: number | undefined;
  private readonly body = byId<HTMLTableSectionElement>('rows');
  private readonly intentSelect = byId<HTMLSelectElement>('filter-intent');

  constructor(private readonly onCursor: (cursor: string) => void) {
    const sender = byId<HTMLInputElement>('filter-sender');
    sender.addEventListener('input', () => {
      this.filters.sender = sender.value.trim();
      this.filters.page = 1;
      this.scheduleRefetch(150);
    });
    this.intentSelect.addEventListener('change', () => {
      this.filters.intent = this.intentSelect.value;
      this.filters.page = 1;
      void this.load();
    });
    byId('newer').addEventListener('click', () => this.turn(-1));
    byId('older').addEventListener('click', () => this.turn(1));
  }

  /** Fetches the current page; `onCursor` learns where the stream goes on from. */
  async load(): Promise<void> {
    const started = performance.now();
    const page = await fetchList(this.filters);
    this.show(page);
    this.onCursor(page.cursor);
    measure('broker-view:list-load', started);
  }

  setOpen(senderId: string | null): void {
    this.openId = senderId;
    this.invalidate();
  }

  /** One event's new summary, from the stream. */
  update(summary: ConversationSummary, isNew: boolean): void {
    for (const intent of summary.intents) this.addIntent(intent);
    const at = this.rows.findIndex((row) => row.senderId === summary.senderId);
    const matches = this.matches(summary);
    if (isNew && matches) this.total++;
    if (this.filters.page === 1 && matches) {
      if (at >= 0) this.rows.splice(at, 1);
      const to = this.rows.findIndex((row) => newestFirst(summary, row) < 0);
      this.rows.splice(to === -1 ? this.rows.length : to, 0, summary);
      if (this.rows.length > PAGE_SIZE) this.rows.length = PAGE_SIZE;
    } else if (at >= 0) {
      this.rows[at] = summary;
    } else if (!isNew && matches && this.filters.intent) {
      // It matches the intent filter only now: the count (and the page) come from the server.
      this.scheduleRefetch(500);
    }
    this.invalidate();
  }

  private matches(summary: ConversationSummary): boolean {
    const { sender, intent } = this.filters;
    return (
      (!sender || summary.senderId.toLowerCase().includes(sender.toLowerCase())) &&
      (!intent || summary.intents.includes(intent))
    );
  }

  private turn(by: number): void {
    this.filters.page = Math.max(1, this.filters.page + by);
    void this.load();
  }

  private scheduleRefetch(ms: number): void {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => void this.load(), ms);
  }

  private show(page: ConversationPage): void {
    this.rows = page.conversations;
    this.total = page.total;
    for (const intent of page.intents) this.addIntent(intent);
    this.render();
  }

  private addIntent(intent: string): void {
    if (this.intents.has(intent)) return;
    this.intents.add(intent);
    const options = [...this.intentSelect.options].slice(1);
    const before = options.find((option) => option.value > intent) ?? null;
    this.intentSelect.insertBefore(h('option', { value: intent }, intent), before);
  }

  /** Renders at most once per frame, however many updates arrive. */
  private invalidate(): void {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.render();
    });
  }

  private render(): void {
    const started = performance.now();
    const pages = Math.max(1, Math.ceil(this.total / PAGE_SIZE));
    byId('count').textContent = `(${this.total})`;
    byId('page-info').textContent = `page ${this.filters.page} of ${pages}`;
    byId<HTMLButtonElement>('newer').disabled = this.filters.page <= 1;
    byId<HTMLButtonElement>('older').disabled = this.filters.page >= pages;
    this.body.replaceChildren(
      ...this.rows.map((row) =>
        h(
          'tr',
          { class: row.senderId === this.openId ? 'open' : undefined, 'data-sender': row.senderId },
          h(
            'td',
            { 'data-label': 'Sender id' },
            h(
              'a',
              {
                href: conversationHash(row.senderId),
                ...(row.senderId === this.openId ? { 'aria-current': 'true' } : {}),
              },
              row.senderId,
            ),
          ),
          h('td', { 'data-label': 'First' }, timeElement(row.firstAt)),
          h('td', { 'data-label': 'Last' }, timeElement(row.lastAt)),
          h('td', { class: 'num', 'data-label': 'Turns' }, String(row.turns)),
          h('td', { class: 'latest' }, row.latestUserMessage ?? ''),
        ),
      ),
    );
    if (this.rows.length === 0) {
      this.body.append(
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: '5', class: 'note' },
            this.filters.sender || this.filters.intent
              ? 'No conversation matches.'
              : 'No conversations yet: they appear as events arrive.',
          ),
        ),
      );
    }
    measure('broker-view:list-render', started);
  }
}
