import type { EntityView, ViewItem } from '../view-model';
import { type Child, confidence, externalLink, h, timeElement } from './dom';

function entityList(entities: EntityView[]): HTMLElement | null {
  if (entities.length === 0) return null;
  return h(
    'ul',
    { class: 'chips', 'aria-label': 'Entities' },
    ...entities.map((e) =>
      h(
        'li',
        {},
        `${e.entity}${e.role ? ` (${e.role})` : ''}${e.group ? ` [${e.group}]` : ''} = ${e.value}`,
        e.confidence !== null || e.extractor
          ? h('span', { class: 'meta' }, `${confidence(e.confidence)}${e.extractor ? ` ${e.extractor}` : ''}`)
          : null,
      ),
    ),
  );
}

/** The event's JSON, pretty-printed when it is opened (a large body costs nothing until then). */
function rawToggle(raw: string, open: boolean): HTMLElement {
  const pre = h('pre', {});
  const details = h('details', { class: 'raw' }, h('summary', {}, 'JSON'), pre);
  const fill = () => {
    if (pre.textContent !== '') return;
    try {
      pre.textContent = JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      pre.textContent = raw;
    }
  };
  details.addEventListener('toggle', fill);
  if (open) {
    details.open = true;
    fill();
  }
  return details;
}

function header(who: string, item: ViewItem, ...more: Child[]): HTMLElement {
  return h('div', { class: 'head' }, h('span', { class: 'who' }, who), timeElement(item.timestamp), ...more);
}

function body(item: ViewItem): Child[] {
  switch (item.kind) {
    case 'user':
      return [
        header('User', item, item.channel ? h('span', { class: 'meta' }, ` via ${item.channel}`) : null),
        h('p', { class: 'text' }, item.text ?? ''),
        item.intent
          ? h(
              'p',
              { class: 'meta intent' },
              `intent ${item.intent.name}${confidence(item.intent.confidence)}`,
            )
          : null,
        entityList(item.entities),
      ];
    case 'bot':
      return [
        header('Bot', item),
        item.text !== null ? h('p', { class: 'text' }, item.text) : null,
        item.buttons.length > 0
          ? h(
              'ul',
              { class: 'chips', 'aria-label': 'Buttons' },
              ...item.buttons.map((b) =>
                h(
                  'li',
                  {},
                  b.url ? externalLink(b.url, b.title) : b.title,
                  b.payload && b.payload !== b.title ? h('span', { class: 'meta' }, ` ${b.payload}`) : null,
                ),
              ),
            )
          : null,
        ...item.links.map((link) =>
          h('p', { class: 'meta' }, `${link.label}: `, externalLink(link.href, link.href)),
        ),
        item.extra ? h('pre', {}, item.extra) : null,
      ];
    case 'agent':
      return [header('Agent', item), h('p', { class: 'text' }, item.text ?? '')];
    case 'action':
      return [
        header(item.rejected ? 'Action rejected' : 'Action', item),
        h('span', { class: 'name' }, item.name),
        item.policy || item.confidence !== null
          ? h('span', { class: 'meta' }, ` ${item.policy ?? ''}${confidence(item.confidence)}`)
          : null,
      ];
    case 'slot':
      return [header('Slot', item), `${item.name} = ${item.value}`];
    case 'entities':
      return [header('Entities added', item), entityList(item.entities)];
    case 'loop':
      return [header('Loop', item), item.name === null ? 'deactivated' : `${item.name} active`];
    case 'session':
      return [h('span', {}, 'Session started '), timeElement(item.timestamp)];
    case 'marker':
      return [header(item.label, item)];
    case 'unknown':
      return [header(`Unknown event type ${JSON.stringify(item.type)}`, item)];
  }
}

/** One transcript line. Every value of the event is set as text. */
export function renderItem(item: ViewItem): HTMLLIElement {
  return h(
    'li',
    { class: `item ${item.kind}`, 'data-type': item.type },
    ...body(item),
    rawToggle(item.raw, item.kind === 'unknown'),
  );
}
