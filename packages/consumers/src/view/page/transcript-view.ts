import type { Transcript, ViewItem } from '../view-model';
import { fetchTranscript } from './api';
import { byId } from './dom';
import { renderItem } from './transcript-items';

/** The open conversation: a snapshot from the server, then its events from the stream. */
export class TranscriptView {
  senderId: string | null = null;
  private seq = 0;
  private pending: ViewItem[] = [];
  private readonly items = byId<HTMLOListElement>('items');
  private readonly note = byId('transcript-note');
  private readonly title = byId('transcript-title');

  /** Shows a conversation (null: none); returns where the stream goes on from. */
  async open(senderId: string | null): Promise<string | undefined> {
    this.senderId = senderId;
    this.pending = [];
    this.items.replaceChildren();
    if (senderId === null) {
      this.title.textContent = 'Transcript';
      this.note.textContent = 'Choose a conversation.';
      return undefined;
    }
    this.title.textContent = `Transcript: ${senderId}`;
    this.note.textContent = 'Loading…';
    const transcript = await fetchTranscript(senderId);
    if (this.senderId !== senderId) return undefined;
    if (!transcript) {
      this.note.textContent = 'No such conversation (yet).';
      this.seq = 0;
      return undefined;
    }
    this.show(transcript);
    return transcript.cursor;
  }

  /** One event from the stream; those already in the snapshot are left out. Drawn with the next frame. */
  append(senderId: string, item: ViewItem): void {
    if (senderId !== this.senderId || item.seq <= this.seq) return;
    this.seq = item.seq;
    this.pending.push(item);
    if (this.pending.length === 1) requestAnimationFrame(() => this.flush());
  }

  /**
   * Adds what arrived since the last frame at once: reading the scroll position forces a layout,
   * once per frame rather than once per event, however many arrive.
   */
  private flush(): void {
    const items = this.pending.splice(0);
    if (items.length === 0) return;
    const container = this.items.parentElement as HTMLElement;
    const atEnd = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
    this.items.append(...items.map(renderItem));
    if (atEnd) container.scrollTop = container.scrollHeight;
  }

  private show(transcript: Transcript): void {
    this.seq = transcript.seq;
    const notes = [`${transcript.items.length} events`];
    if (transcript.incomplete)
      notes.push(
        'some live events were dropped from memory (--max-memory); those the store does not hold are missing',
      );
    if (transcript.historyError)
      notes.push(`the stored history could not be read: ${transcript.historyError}`);
    this.note.textContent = notes.join('; ');
    this.items.replaceChildren(...transcript.items.map(renderItem));
  }
}
