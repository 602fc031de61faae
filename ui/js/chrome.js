// The header and the sidebar: the screen's title and sidebar entry, the connection badge, the
// online state with the drafts waiting or being sent, the drafts badge, and the banner when
// the API refuses the credentials.
import { call } from './ipc.js';
import { t, translate } from './i18n.js';
import { toastError } from './feedback.js';
import { app, DOM, hear } from './app-state.js';
import { show, refresh as refreshScreen } from './router.js';
import * as sidebar from './sidebar.js';

/** Sets the title of the screen on display. */
export function setTitle(text) {
  document.getElementById('screen-title').textContent = text;
}

/** Records a new connection (after a switch or a change of its state) and shows it. */
export function setConnection(conn) {
  app.info.connection = conn;
  const badge = document.getElementById('connection-badge');
  badge.dataset.kind = conn.kind;
  // Which connection, by the name the agent gave it (the kind says what it leads to).
  badge.textContent = conn.kind === 'embedded' || !conn.profileName
    ? t(`connection.${conn.kind}`) : `${conn.profileName} · ${t(`connection.${conn.kind}`)}`;
  badge.title = conn.host;
  // The embedded sandbox keeps its data in clear on this computer: always said.
  const marker = document.getElementById('test-data-marker');
  marker.hidden = conn.kind !== 'embedded';
  marker.title = t('connection.testDataHelp');
  const locked = document.getElementById('keychain-banner');
  locked.hidden = !conn.credentialsUnavailable;
  locked.querySelector('#keychain-message').textContent = conn.credentialsUnavailable ? t('keychain.banner', { name: conn.profileName }) : '';
  renderOnline();
}

/**
 * The keychain banner's button: the same connection again, its credentials read anew. It is
 * the connection the agent already chose (and confirmed, if live), hence `confirmLive`.
 */
async function retryKeychain() {
  try {
    switched(await call('activate_profile', { id: app.info.connection.profileId, confirmLive: true }));
  } catch (err) {
    toastError(err);
  }
}

/** A switch the agent made: the old connection's refusal banner no longer applies. */
export function switched(conn) {
  setConnection(conn);
  document.getElementById('auth-banner').hidden = true;
}

/** "Offline — 7 registrations waiting", or what the running sync is doing; the drafts badge. */
export function renderOnline() {
  const conn = app.info.connection;
  const online = document.getElementById('online-indicator');
  online.dataset.online = String(conn.online);
  const counts = app.drafts?.counts;
  const progress = app.drafts?.progress;
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

/** Keeps the screen as it is (nothing the agent typed is lost) and offers the way to fix it. */
export function credentialsRefused({ profileName }) {
  const banner = document.getElementById('auth-banner');
  banner.querySelector('#auth-message').textContent = t('auth.banner', { name: profileName });
  banner.hidden = false;
}

/** Translates the chrome again and re-renders the screen (after a language change). */
export function refresh() {
  translate(document);
  sidebar.render();
  setConnection(app.info.connection);
  refreshScreen();
}

/** Wires the sidebar and the banner; follows the screens as they are shown. */
export function start() {
  for (const link of document.querySelectorAll('[data-screen]')) {
    link.addEventListener('click', (e) => { e.preventDefault(); show(link.dataset.screen); });
  }
  document.getElementById('auth-fix').addEventListener('click', () => show('settings'));
  document.getElementById('keychain-retry').addEventListener('click', retryKeychain);
  document.getElementById('app-version').textContent = `v${app.info.version}`;
  sidebar.start();
  hear(DOM.screenShown, ({ section, title }) => {
    for (const link of document.querySelectorAll('[data-screen]')) {
      if (link.dataset.screen === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    setTitle(t(title));
  });
  hear(DOM.draftsChanged, renderOnline);
  // The system saw the network come or go: the header learns it now, not at the next probe.
  for (const change of ['online', 'offline']) window.addEventListener(change, () => call('check_connection').catch(() => {}));
  setConnection(app.info.connection);
}
