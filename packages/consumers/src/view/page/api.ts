import type { ConversationPage, Transcript } from '../view-model';

async function getJson<T>(path: string): Promise<T | undefined> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface ListFilters {
  sender: string;
  intent: string;
  page: number;
}

export const PAGE_SIZE = 50;

export async function fetchList(filters: ListFilters): Promise<ConversationPage> {
  const query = new URLSearchParams({ page: String(filters.page), size: String(PAGE_SIZE) });
  if (filters.sender) query.set('sender', filters.sender);
  if (filters.intent) query.set('intent', filters.intent);
  return (await getJson<ConversationPage>(`/api/conversations?${query}`)) as ConversationPage;
}

export function fetchTranscript(senderId: string): Promise<Transcript | undefined> {
  return getJson<Transcript>(`/api/conversations/${encodeURIComponent(senderId)}`);
}
