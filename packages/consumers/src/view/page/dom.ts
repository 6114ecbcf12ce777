/**
 * The page builds every element with these: text goes in as text nodes and attribute values
 * through `setAttribute`, never as markup, so nothing in an event can become HTML or script.
 */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** An element of the page's own markup. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}.`);
  return element as T;
}

/** An http(s) address, or null: the page links nothing else (no `javascript:`, no `data:`). */
export function safeHref(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link that opens elsewhere without giving that page a handle on this one. */
export function externalLink(href: string, label: string): HTMLElement {
  const safe = safeHref(href);
  if (!safe) return h('span', {}, label);
  return h('a', { href: safe, rel: 'noopener noreferrer nofollow', target: '_blank' }, label);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Seconds since the epoch as a local date and time, in a `<time>` element. */
export function timeElement(seconds: number | null): HTMLElement {
  if (seconds === null) return h('span', { class: 'meta' }, '—');
  const d = new Date(seconds * 1000);
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return h('time', { datetime: d.toISOString() }, text);
}

export function confidence(value: number | null): string {
  return value === null ? '' : ` ${value.toFixed(2)}`;
}

/** Where a conversation's transcript is: `#/c/<sender id>`. */
export function conversationHash(senderId: string): string {
  return `#/c/${encodeURIComponent(senderId)}`;
}
