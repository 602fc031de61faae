// Customers: search by CPF or external id, filter by status, pages of 100 loaded as the agent
// scrolls, rendered as a virtual list.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { date } from '../format.js';
import { errorBox } from '../feedback.js';
import { VirtualList } from '../virtual-list.js';
import { show } from '../router.js';
import { statusLabel } from '../labels.js';
import { app, DOM, hear } from '../app-state.js';

export const title = 'title.customers';
const STATUSES = ['pending_kyc', 'under_review', 'active'];
const ROW_HEIGHT = 44;

// Kept between visits, so that going back from a detail keeps the search; another connection
// starts with none (its customers are others).
const memory = { text: '', status: '', profileId: null };
let stopHearing = null;

export function render(root) {
  const profileId = app.info?.connection?.profileId ?? null;
  if (memory.profileId !== profileId) Object.assign(memory, { text: '', status: '', profileId });
  const search = el('input', { type: 'search', id: 'customer-search', value: memory.text, placeholder: t('customers.search'),
    'aria-label': t('customers.search'), autocomplete: 'off' });
  const status = el('select', { id: 'status-filter', 'aria-label': t('customers.filter') },
    el('option', { value: '', text: t('customers.filter.all') }),
    STATUSES.map((s) => el('option', { value: s, text: statusLabel(s), selected: memory.status === s })));
  const count = el('p', { id: 'customer-count', class: 'request-id', 'aria-live': 'polite' });
  const viewport = el('div', { id: 'customer-list', class: 'customer-list', role: 'table', 'aria-label': t('title.customers') });
  const message = el('div', { id: 'customers-content', 'aria-live': 'polite' });
  root.append(
    el('div', { class: 'toolbar' },
      search, status,
      el('button', { type: 'button', id: 'search-customers', text: t('customers.searchButton'), onclick: () => run() }),
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', id: 'refresh-customers', text: t('customers.refresh'), onclick: () => run() }),
      el('button', { type: 'button', id: 'new-customer', class: 'primary', text: t('customers.new'), title: 'Ctrl+N', onclick: () => show('register') })),
    header(), viewport, count, message);

  const state = { items: [], cursor: null, hasMore: false, loading: false, generation: 0 };
  const list = new VirtualList(viewport, {
    rowHeight: ROW_HEIGHT,
    renderRow: (c) => row(c),
    onNearEnd: () => { if (state.hasMore && !state.loading) more(); },
  });

  async function fetchPage(cursor) {
    return call('search_customers', { query: { text: memory.text || null, status: memory.status || null, cursor } });
  }

  async function run() {
    memory.text = search.value.trim();
    memory.status = status.value;
    const generation = ++state.generation;
    state.loading = true;
    clear(message).append(el('p', { class: 'loading', id: 'customers-loading', text: t('customers.loading') }));
    try {
      const page = await fetchPage(null);
      if (generation !== state.generation) return;
      state.items = page.customers;
      state.cursor = page.nextCursor;
      state.hasMore = page.hasMore;
      clear(message);
      if (!state.items.length) message.append(empty());
      viewport.hidden = !state.items.length;
      viewport.scrollTop = 0;
      list.setItems(state.items);
      updateCount();
    } catch (err) {
      clear(message).append(errorBox(err, run));
      viewport.hidden = true;
    } finally {
      state.loading = false;
    }
  }

  async function more() {
    const generation = state.generation;
    state.loading = true;
    try {
      const page = await fetchPage(state.cursor);
      if (generation !== state.generation) return;
      state.items = state.items.concat(page.customers);
      state.cursor = page.nextCursor;
      state.hasMore = page.hasMore;
      list.setItems(state.items);
      updateCount();
    } catch (err) {
      clear(message).append(errorBox(err, more));
    } finally {
      state.loading = false;
    }
  }

  function updateCount() {
    count.dataset.count = String(state.items.length);
    count.textContent = t(state.hasMore ? 'customers.countMore' : 'customers.count', { count: state.items.length });
  }

  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') run(); });
  status.addEventListener('change', run);
  stopHearing = hear(DOM.focusSearch, () => search.focus());
  run();
}

export function leave() {
  stopHearing?.();
  stopHearing = null;
}

function header() {
  return el('div', { class: 'customer-row head', role: 'row' },
    ['name', 'cpf', 'status', 'external', 'open', 'created'].map((c) => el('span', { role: 'columnheader', text: t(`customers.col.${c}`) })));
}

function row(c) {
  return el('div', { class: 'customer-row', role: 'row', tabindex: '0', dataset: { id: c.id },
    onclick: () => show('customer', { id: c.id }),
    onkeydown: (e) => { if (e.key === 'Enter') show('customer', { id: c.id }); } },
  el('span', { class: 'name', role: 'cell', text: c.name }),
  el('span', { class: 'mono cpf', role: 'cell', text: c.cpf }),
  el('span', { role: 'cell' }, el('span', { class: 'status-badge', dataset: { status: c.status }, text: statusLabel(c.status) })),
  el('span', { class: 'mono', role: 'cell', text: c.externalId ?? '—' }),
  el('span', { class: 'mono', role: 'cell', text: String(c.openItems) }),
  el('span', { role: 'cell', text: date(c.createdAt) }));
}

function empty() {
  const filtered = memory.text || memory.status;
  return el('div', { class: 'empty', id: 'customers-empty' },
    el('h2', { text: t(filtered ? 'customers.none.title' : 'customers.empty.title') }),
    el('p', { text: t(filtered ? 'customers.none.body' : 'customers.empty.body') }));
}

