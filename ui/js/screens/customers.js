// Customers: the newest first from Dinie, pages of 100 loaded as the agent scrolls (a virtual
// list); a search as the agent types, by name, e-mail, phone, CNPJ, CPF or external id, in the
// local index (Rust's, sealed, refreshed in the background); "Precisa de ação", what waits on
// the agent; offline, the index's last view, marked as such.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { ago, date } from '../format.js';
import { errorBox } from '../feedback.js';
import { VirtualList } from '../virtual-list.js';
import { show } from '../router.js';
import { statusLabel } from '../labels.js';
import { app, DOM, hear } from '../app-state.js';

export const title = 'title.customers';
const STATUSES = ['pending_kyc', 'under_review', 'active'];
/** The status filter's entry for the worklist (not a status of Dinie's). */
const NEEDS_ACTION = 'needs_action';
const TYPING_MS = 120;
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
    el('option', { value: NEEDS_ACTION, text: t('customers.filter.needs'), selected: memory.status === NEEDS_ACTION }),
    STATUSES.map((s) => el('option', { value: s, text: statusLabel(s), selected: memory.status === s })));
  const count = el('p', { id: 'customer-count', class: 'help', 'aria-live': 'polite' });
  const offline = el('p', { id: 'customers-offline', class: 'notice', hidden: true });
  const viewport = el('div', { id: 'customer-list', class: 'customer-list', role: 'table', 'aria-label': t('title.customers') });
  const message = el('div', { id: 'customers-content', 'aria-live': 'polite' });
  root.append(
    el('div', { class: 'toolbar' },
      search, status,
      el('button', { type: 'button', id: 'search-customers', text: t('customers.searchButton'), onclick: () => run() }),
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', id: 'refresh-customers', text: t('customers.refresh'), onclick: () => run() }),
      el('button', { type: 'button', id: 'new-customer', class: 'primary', text: t('customers.new'), title: 'Ctrl+N', onclick: () => show('register') })),
    offline, header(), viewport, count, message);

  const state = { items: [], cursor: null, hasMore: false, loading: false, generation: 0 };
  const list = new VirtualList(viewport, {
    rowHeight: ROW_HEIGHT,
    renderRow: (c) => row(c),
    onNearEnd: () => { if (state.hasMore && !state.loading) more(); },
  });

  /** A page of Dinie's list, newest first (a text is searched in the index, not here). */
  async function fetchPage(cursor) {
    return call('search_customers', { query: { text: null, status: memory.status || null, cursor } });
  }

  /** A page from the local index: a search, the worklist, or (offline) what was seen last. */
  async function localPage() {
    const found = memory.status === NEEDS_ACTION ? await call('customers_waiting')
      : await call('find_customers', { text: memory.text });
    const rows = memory.status && memory.status !== NEEDS_ACTION ? found.customers.filter((c) => c.status === memory.status) : found.customers;
    return { customers: rows, hasMore: false, nextCursor: null, refreshedAt: found.refreshedAt };
  }

  async function firstPage() {
    offline.hidden = true;
    if (memory.text || memory.status === NEEDS_ACTION) return localPage();
    try {
      return await fetchPage(null);
    } catch (err) {
      if (!['offline', 'timeout'].includes(err.code)) throw err;
      // Offline: what this computer saw last, said to be that.
      const page = await localPage();
      offline.hidden = false;
      offline.textContent = page.refreshedAt ? t('customers.offline', { ago: ago(page.refreshedAt) }) : t('customers.offlineNever');
      return page;
    }
  }

  async function run() {
    memory.text = search.value.trim();
    memory.status = status.value;
    const generation = ++state.generation;
    state.loading = true;
    clear(message).append(el('p', { class: 'loading', id: 'customers-loading', text: t('customers.loading') }));
    try {
      const page = await firstPage();
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
      refreshIndex(() => {
        if (generation === state.generation && viewport.isConnected && (memory.text || memory.status === NEEDS_ACTION)) run();
      });
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

  let typing = null;
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(typing); run(); } });
  search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(run, TYPING_MS); });
  status.addEventListener('change', run);
  stopHearing = hear(DOM.focusSearch, () => search.focus());
  run();
}

let refreshing = null;

/**
 * Lets the index catch up with Dinie (one refresh at a time: usually one page, nothing new);
 * `changed` runs when it brought something the screen shows from the index.
 */
function refreshIndex(changed) {
  refreshing ??= call('refresh_customer_index').catch(() => 0).finally(() => { refreshing = null; });
  refreshing.then((n) => { if (n) changed(); });
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
  el('span', { class: 'needs', role: 'cell', text: c.needs ? needsText(c) : String(c.openItems), title: c.needs?.map(needText).join('\n') ?? '' }),
  el('span', { role: 'cell', text: date(c.createdAt) }));
}

/** One thing a customer waits on the agent for: "Recusado: CNH", "Biometria não feita". */
function needText(n) {
  return t(`need.${n.kind}`, { label: n.label ?? '' });
}

/** The first need, how many more, and for how long: "Recusado: CNH (+1) · há 2 dias". */
function needsText(c) {
  if (!c.needs.length) return '—';
  const more = c.needs.length > 1 ? ` (+${c.needs.length - 1})` : '';
  return `${needText(c.needs[0])}${more} · ${ago(c.updatedAt)}`;
}

function empty() {
  const filtered = memory.text || memory.status;
  return el('div', { class: 'empty', id: 'customers-empty' },
    el('h2', { text: t(filtered ? 'customers.none.title' : 'customers.empty.title') }),
    el('p', { text: t(filtered ? 'customers.none.body' : 'customers.empty.body') }));
}

