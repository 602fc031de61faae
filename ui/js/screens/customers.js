// Customers: the first page of the partner's customers, with status badges.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { date } from '../format.js';
import { errorBox } from '../feedback.js';

export const title = 'title.customers';

export function render(root) {
  const list = el('div', { id: 'customers-content', 'aria-live': 'polite' });
  root.append(
    el('div', { class: 'toolbar' },
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', id: 'refresh-customers', text: t('customers.refresh'), onclick: () => load(list) })),
    list);
  load(list);
}

async function load(target) {
  clear(target).append(el('p', { class: 'loading', id: 'customers-loading', text: t('customers.loading') }));
  try {
    const page = await call('list_customers');
    clear(target).append(page.customers.length ? table(page) : empty());
  } catch (err) {
    clear(target).append(errorBox(err, () => load(target)));
  }
}

function empty() {
  return el('div', { class: 'empty', id: 'customers-empty' },
    el('h2', { text: t('customers.empty.title') }),
    el('p', { text: t('customers.empty.body') }));
}

function table(page) {
  const head = ['name', 'cpf', 'status', 'external', 'open', 'created']
    .map((c) => el('th', { scope: 'col', text: t(`customers.col.${c}`) }));
  const rows = page.customers.map((c) => el('tr', { dataset: { id: c.id } },
    el('td', { class: 'name', text: c.name }),
    el('td', { class: 'mono cpf', text: c.cpf }),
    el('td', {}, el('span', { class: 'status-badge', dataset: { status: c.status }, text: statusLabel(c.status) })),
    el('td', { class: 'mono', text: c.externalId ?? '—' }),
    el('td', { class: 'mono', text: String(c.openItems) }),
    el('td', { text: date(c.createdAt) })));
  const wrap = el('div', {}, el('table', { id: 'customers-table' }, el('thead', {}, el('tr', {}, head)), el('tbody', {}, rows)));
  if (page.hasMore) wrap.append(el('p', { class: 'request-id', text: t('customers.more', { count: page.customers.length }) }));
  return wrap;
}

/** A status the dictionary knows, or the API's raw value for one it does not. */
function statusLabel(status) {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}
