// The shell: sidebar navigation, header (connection and online state), and the screens.
import { call, listen } from './ipc.js';
import { clear } from './dom.js';
import { setLanguage, t, translate } from './i18n.js';
import { errorBox } from './feedback.js';
import * as customers from './screens/customers.js';
import * as drafts from './screens/drafts.js';
import * as settings from './screens/settings.js';
import * as register from './screens/register.js';
import * as customer from './screens/customer.js';

const screens = { customers, drafts, settings, register, customer };
// Which sidebar entry a screen belongs to.
const section = { register: 'customers', customer: 'customers' };
export const state = { info: null, drafts: null, screen: 'customers', params: {} };

/** Shows a screen (with parameters, e.g. `{ id }` for a customer). */
export function show(name, params = {}) {
  screens[state.screen]?.leave?.();
  state.screen = screens[name] ? name : 'customers';
  state.params = params;
  const screen = screens[state.screen];
  const current = section[state.screen] ?? state.screen;
  for (const link of document.querySelectorAll('[data-screen]')) {
    if (link.dataset.screen === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.getElementById('screen-title').textContent = t(screen.title);
  const root = clear(document.getElementById('screen'));
  screen.render(root, params);
}

function shortcuts(e) {
  const ctrl = e.ctrlKey || e.metaKey;
  if (ctrl && e.key.toLowerCase() === 'k') {
    e.preventDefault();
    if (state.screen !== 'customers') show('customers');
    customers.focusSearch();
  } else if (ctrl && e.key.toLowerCase() === 'n') {
    e.preventDefault();
    show('register');
  } else if (e.key === 'Escape' && !document.querySelector('dialog[open]') && (state.screen === 'register' || state.screen === 'customer')) {
    e.preventDefault();
    show('customers');
  }
}

/** Re-renders the chrome and the current screen (after a language change). */
export function refreshChrome() {
  translate(document);
  renderConnection(state.info.connection);
  show(state.screen);
}

/** Records a new connection (after a switch) and redraws what depends on it. */
export function setConnection(conn) {
  state.info.connection = conn;
  renderConnection(conn);
  document.getElementById('auth-banner').hidden = true;
}

function renderConnection(conn) {
  const badge = document.getElementById('connection-badge');
  badge.dataset.kind = conn.kind;
  badge.textContent = t(`connection.${conn.kind}`);
  badge.title = conn.host;
  renderOnline();
}

/** "Offline — 7 registrations waiting", or what the running sync is doing. */
function renderOnline() {
  const conn = state.info.connection;
  const online = document.getElementById('online-indicator');
  online.dataset.online = String(conn.online);
  const counts = state.drafts?.counts;
  const progress = state.drafts?.progress;
  let text = t(`online.${conn.online}`);
  if (progress?.running) text += ` — ${t('drafts.sending', { done: progress.done, total: progress.total })}`;
  else if (counts?.waiting) text += ` — ${t(counts.waiting === 1 ? 'drafts.waitingOne' : 'drafts.waitingMany', { n: counts.waiting })}`;
  online.textContent = text;
  const badge = document.getElementById('drafts-badge');
  const open = (counts?.waiting ?? 0) + (counts?.attention ?? 0);
  badge.hidden = !open;
  badge.textContent = String(open);
  badge.dataset.attention = String(Boolean(counts?.attention));
}

function draftsChanged() {
  renderOnline();
  if (state.screen === 'drafts') drafts.changed();
}

async function start() {
  for (const link of document.querySelectorAll('[data-screen]')) {
    link.addEventListener('click', (e) => { e.preventDefault(); show(link.dataset.screen); });
  }
  try {
    state.info = await call('app_info');
  } catch (err) {
    document.getElementById('screen').append(errorBox(err, () => location.reload()));
    return;
  }
  setLanguage(state.info.language);
  document.getElementById('app-version').textContent = `v${state.info.version}`;
  renderConnection(state.info.connection);
  await listen('connection-changed', (event) => {
    state.info.connection = event.payload;
    renderConnection(event.payload);
  });
  state.drafts = await call('draft_status');
  renderOnline();
  await listen('drafts-changed', (event) => {
    state.drafts = event.payload;
    draftsChanged();
  });
  await listen('sync-progress', (event) => {
    if (state.drafts) state.drafts.progress = event.payload;
    draftsChanged();
  });
  await listen('auth-required', (event) => {
    // Keep the screen as it is (nothing the agent typed is lost); offer the way to fix it.
    const banner = document.getElementById('auth-banner');
    banner.querySelector('#auth-message').textContent = t('auth.banner', { name: event.payload.profileName });
    banner.hidden = false;
  });
  document.getElementById('auth-fix').addEventListener('click', () => show('settings'));
  document.addEventListener('keydown', shortcuts);
  show(location.hash.slice(1) || 'customers');
  document.body.dataset.ready = 'true';
}

start();
