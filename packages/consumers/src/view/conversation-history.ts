import { censorUrl } from '@broker/core';
import { PostgresConversationStore } from '../sinks/postgres/postgres-conversation-store';

/** One stored event: its conversation and its wire body as received. */
export interface StoredBody {
  senderId: string;
  body: string;
}

/**
 * Where `broker view` reads the conversations that happened before it started. Today the
 * PostgreSQL store that `broker consume --sink postgres` writes; a tracker store read from the
 * endpoints file's `tracker_store` section (its `keys()` and `retrieve()`) is another
 * implementation of this interface, chosen in `openConversationHistory`.
 */
export interface ConversationHistory {
  /** What is read, for the page and the log (URLs censored). */
  readonly description: string;
  /** Every stored event, oldest first, read page by page: fills the conversation list. */
  events(): AsyncIterable<StoredBody>;
  /** One conversation's stored event bodies, in order. */
  conversation(senderId: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface HistoryOptions {
  /** The PostgreSQL sink's database. */
  databaseUrl?: string | undefined;
  schema?: string | undefined;
}

class PostgresHistory implements ConversationHistory {
  constructor(
    private readonly store: PostgresConversationStore,
    readonly description: string,
  ) {}

  async *events(): AsyncIterable<StoredBody> {
    for await (const event of this.store.events()) yield { senderId: event.senderId, body: event.body };
  }

  async conversation(senderId: string): Promise<string[]> {
    return (await this.store.conversation(senderId)).map((event) => event.body);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Opens the history the options name, or undefined when they name none (the viewer then shows what arrives from now on). */
export async function openConversationHistory(
  options: HistoryOptions,
): Promise<ConversationHistory | undefined> {
  if (!options.databaseUrl) return undefined;
  const schema = options.schema ?? 'public';
  const store = await PostgresConversationStore.open({ databaseUrl: options.databaseUrl, schema });
  return new PostgresHistory(store, `PostgreSQL ${censorUrl(options.databaseUrl)} (schema ${schema})`);
}
