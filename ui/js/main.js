// Boot: registers the screens with the router, turns what Rust emits into the shared state
// and DOM events, wires the keyboard (keys.js), and shows the first screen.
import { call, listen } from './ipc.js';
import { setLanguage } from './i18n.js';
import { errorBox } from './feedback.js';
import { app, EVENTS, DOM, announce } from './app-state.js';
import { register, show } from './router.js';
import { onKey } from './keys.js';
import * as chrome from './chrome.js';
import * as customers from './screens/customers.js';
import * as customer from './screens/customer.js';
import * as registration from './screens/register.js';
import * as drafts from './screens/drafts.js';
import * as settings from './screens/settings.js';

register('customers', customers);
register('drafts', drafts);
register('settings', settings);
register('register', registration, { section: 'customers' });
register('customer', customer, { section: 'customers' });

function draftsChanged(status) {
  app.drafts = status;
  announce(DOM.draftsChanged);
}

async function start() {
  try {
    app.info = await call('app_info');
  } catch (err) {
    document.getElementById('screen').append(errorBox(err, () => location.reload()));
    return;
  }
  setLanguage(app.info.language);
  chrome.start();
  // Rust's events, heard once here; screens hear them as DOM events while they are shown.
  await Promise.all([
    listen(EVENTS.connectionChanged, (e) => chrome.setConnection(e.payload)),
    listen(EVENTS.authRequired, (e) => chrome.credentialsRefused(e.payload)),
    listen(EVENTS.customerUpdated, (e) => announce(DOM.customerUpdated, e.payload)),
    listen(EVENTS.draftsChanged, (e) => draftsChanged(e.payload)),
    listen(EVENTS.syncProgress, (e) => { if (app.drafts) draftsChanged({ ...app.drafts, progress: e.payload }); }),
    listen('tauri://drag-over', (e) => announce(DOM.dragOver, e.payload)),
    listen('tauri://drag-leave', () => announce(DOM.dragLeave)),
    // Rust keeps what was dropped and sends tokens; the raw drop event (with paths) is ignored.
    listen(EVENTS.filesDropped, (e) => announce(DOM.dragDrop, e.payload)),
  ]);
  // The drafts' counts come when they come (the keychain may be slow to give their key): the
  // first screen and its list do not wait for them.
  const status = call('draft_status').then(draftsChanged, (err) => console.warn('draft_status', err));
  document.addEventListener('keydown', onKey);
  show(location.hash.slice(1) || 'customers');
  await status;
  document.body.dataset.ready = 'true';
}

start();
