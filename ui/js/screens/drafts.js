// Drafts: every registration not yet with Dinie, with its state (editing, waiting for the
// connection, sending, sent, needs attention); search, edit, discard; CSV import with a
// per-row report; the progress of the running sync.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { date } from '../format.js';
import { toast, errorBox } from '../feedback.js';
import { describe, reasonText } from '../labels.js';
import { confirmDialog } from '../confirm.js';
import { VirtualList } from '../virtual-list.js';
import { show } from '../router.js';
import { app, announce, DOM, hear } from '../app-state.js';

export const title = 'title.drafts';
const ROW_HEIGHT = 52;
const memory = { text: '' };
let view = null;

export function render(root) {
  const search = el('input', { type: 'search', id: 'drafts-search', value: memory.text, placeholder: t('drafts.search'),
    'aria-label': t('drafts.search'), autocomplete: 'off' });
  const progress = el('div', { id: 'sync-progress', class: 'sync-progress', hidden: true, role: 'status', 'aria-live': 'polite' },
    el('progress', { id: 'sync-bar', max: '1', value: '0' }), el('span', { id: 'sync-text' }));
  const counts = el('p', { id: 'draft-counts', class: 'help', 'aria-live': 'polite' });
  const alerts = el('div', { id: 'draft-alerts', 'aria-live': 'polite' });
  const report = el('div', { id: 'import-report' });
  const viewport = el('div', { id: 'draft-list', class: 'customer-list draft-list', role: 'table', 'aria-label': t('title.drafts') });
  const message = el('div', { id: 'drafts-content', 'aria-live': 'polite' });
  root.append(
    el('div', { class: 'toolbar' },
      search,
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', id: 'csv-template', text: t('drafts.template'), title: t('drafts.templateHint'), onclick: saveTemplate }),
      el('button', { type: 'button', id: 'import-csv', text: t('drafts.import'), onclick: () => importCsv(report) }),
      el('button', { type: 'button', id: 'sync-now', text: t('drafts.syncNow'), onclick: () => call('sync_now') }),
      el('button', { type: 'button', id: 'new-draft', class: 'primary', text: t('customers.new'), onclick: () => show('register') })),
    progress, counts, alerts, report,
    el('div', { class: 'customer-row draft-row head', role: 'row' },
      ['name', 'cpf', 'state', 'updated', 'actions'].map((c) => el('span', { role: 'columnheader', text: t(`drafts.col.${c}`) }))),
    viewport, message);
  const list = new VirtualList(viewport, { rowHeight: ROW_HEIGHT, renderRow: (d) => row(d) });
  view = { list, viewport, message, alerts, drafts: [], unreadable: [], timer: null, search, stopHearing: hear(DOM.draftsChanged, changed) };
  search.addEventListener('input', () => { memory.text = search.value; paint(); });
  paintStatus();
  load();
}

export function leave() {
  if (view) {
    clearTimeout(view.timer);
    view.stopHearing();
  }
  view = null;
}

/** The drafts changed (autosave, a sync step, an import): reload, at most a few times a second. */
function changed() {
  paintStatus();
  if (!view || view.timer) return;
  // A list of a thousand drafts is a heavy answer: while a run sends, refresh less often.
  const wait = app.drafts?.progress?.running ? 1500 : 300;
  view.timer = setTimeout(() => { if (view) { view.timer = null; load(); } }, wait);
}

async function load() {
  const current = view;
  if (!current) return;
  try {
    const [list, profiles] = await Promise.all([call('list_drafts'), call('list_profiles')]);
    if (view !== current) return;
    current.profileNames = new Map(profiles.profiles.map((p) => [p.id, p.name]));
    current.drafts = list.drafts;
    current.unreadable = list.unreadable;
    paintAlerts();
    paint();
  } catch (err) {
    clear(current.message).append(errorBox(err, load));
    current.viewport.hidden = true;
  }
}

function matches(d, text) {
  if (!text) return true;
  const needle = text.toLowerCase();
  const digits = needle.replace(/\D/g, '');
  return [d.name, d.email, d.externalId, d.problem && problemText(d.problem)].some((v) => v?.toLowerCase().includes(needle))
    || (digits.length >= 3 && (d.cpf ?? '').replace(/\D/g, '').includes(digits));
}

function paint() {
  if (!view) return;
  const shown = view.drafts.filter((d) => matches(d, memory.text.trim()));
  clear(view.message);
  view.viewport.hidden = !shown.length;
  if (!view.drafts.length) {
    view.message.append(el('div', { class: 'empty', id: 'drafts-empty' },
      el('h2', { text: t('drafts.empty.title') }), el('p', { text: t('drafts.empty.body') })));
  } else if (!shown.length) {
    view.message.append(el('p', { class: 'empty', id: 'drafts-none', text: t('drafts.none') }));
  }
  // Rows show the sync's state and the connections' names besides their draft.
  view.list.setItems(shown, JSON.stringify([app.drafts?.progress?.running ?? false, app.info?.connection?.profileId ?? null, [...(view.profileNames ?? [])]]));
}

/**
 * What the agent must know about the store itself: drafts sealed with a key the keychain lost
 * (they cannot be recovered; discard them), a damaged database set aside at start-up, a
 * keychain that refused the key (try again).
 */
function paintAlerts() {
  if (!view) return;
  const status = app.drafts;
  // Repainted only when what they say changes (a sync sends many status events; a repaint
  // would take the focus off their buttons).
  const said = JSON.stringify([status?.available, status?.message, status?.setAside, view.unreadable.map((d) => d.id)]);
  if (said === view.alertsSaid) return;
  view.alertsSaid = said;
  clear(view.alerts);
  if (status && !status.available) {
    view.alerts.append(el('div', { class: 'error-box', id: 'drafts-keychain', role: 'alert' },
      el('p', { text: `${t('drafts.unavailable')} ${status.message ?? ''}` }),
      el('button', { type: 'button', id: 'drafts-retry', text: t('common.retry'), onclick: retryKeychain })));
  }
  if (status?.setAside) {
    view.alerts.append(el('div', { class: 'notice', id: 'drafts-set-aside', role: 'status' },
      el('p', { text: t('drafts.setAside', { file: status.setAside }) })));
  }
  const lost = view.unreadable;
  if (lost.length) {
    view.alerts.append(el('div', { class: 'error-box', id: 'drafts-unreadable', role: 'alert' },
      el('p', { text: t(lost.length === 1 ? 'drafts.unreadable.one' : 'drafts.unreadable.many', { count: lost.length }) }),
      el('p', { class: 'help', text: t('drafts.unreadable.why') }),
      el('button', { type: 'button', id: 'drafts-discard-unreadable', class: 'danger', text: t('drafts.unreadable.discard', { count: lost.length }),
        onclick: () => discardUnreadable(lost.map((d) => d.id)) })));
  }
}

async function retryKeychain() {
  try {
    await call('retry_drafts');
    load();
  } catch (err) {
    toast(describe(err), 'error');
  }
}

async function discardUnreadable(ids) {
  if (!(await confirmDialog(t('drafts.unreadable.confirm', { count: ids.length }), { danger: true }))) return;
  try {
    await call('discard_drafts', { ids });
    toast(t('drafts.discarded'));
    load();
  } catch (err) {
    toast(describe(err), 'error');
  }
}

/** Counts and the running sync, from the last `drafts-changed` / `sync-progress`. */
function paintStatus() {
  const status = app.drafts;
  const counts = document.getElementById('draft-counts');
  if (!status || !counts) return;
  paintAlerts();
  counts.textContent = status.available
    ? t('drafts.counts', { waiting: status.counts.waiting, attention: status.counts.attention, editing: status.counts.editing, sent: status.counts.sent })
    : `${t('drafts.unavailable')} ${status.message ?? ''}`;
  const p = status.progress;
  const box = document.getElementById('sync-progress');
  box.hidden = !p.running && !p.total;
  box.dataset.running = String(p.running);
  document.getElementById('sync-bar').value = p.total ? p.done / p.total : 0;
  document.getElementById('sync-text').textContent = t(p.running ? 'drafts.progress' : 'drafts.progressDone',
    { done: p.done, total: p.total, sent: p.sent, attention: p.attention, retrying: p.retrying });
}

/** Why a draft waits: its code's words when it has its own, then its reason. */
function problemText(problem) {
  const key = `drafts.problem.${problem.code}`;
  const text = t(key);
  const why = reasonText(problem.reason);
  return text === key ? why : `${text} ${why}`;
}

function row(d) {
  const otherConnection = app.info && d.profileId !== app.info.connection.profileId;
  const name = d.name || t('drafts.unnamed');
  return el('div', { class: 'customer-row draft-row', role: 'row', tabindex: '-1', dataset: { id: d.id, state: d.state } },
    el('span', { class: 'name', role: 'cell' }, el('span', { text: name }),
      d.problem ? el('small', { class: 'draft-problem', dataset: { code: d.problem.code }, text: problemText(d.problem) }) : null),
    el('span', { class: 'mono cpf', role: 'cell', text: d.cpf || '—' }),
    el('span', { role: 'cell' }, el('span', { class: 'status-badge draft-state', dataset: { status: d.state }, text: t(`drafts.state.${d.state}`) }),
      otherConnection ? el('small', { class: 'help draft-connection', text: ` ${t('drafts.ofConnection', { name: view?.profileNames?.get(d.profileId) ?? d.profileId })}` }) : null),
    el('span', { role: 'cell', text: date(new Date(d.updatedAt).toISOString()) }),
    el('span', { role: 'cell', class: 'row-actions' },
      d.customerId
        ? el('button', { type: 'button', class: 'draft-open', text: t('drafts.openCustomer'), onclick: () => show('customer', { id: d.customerId }) })
        : null,
      d.state !== 'sent' && d.state !== 'sending' && !otherConnection
        ? el('button', { type: 'button', class: 'draft-edit', text: t('drafts.edit'), onclick: () => show('register', { draftId: d.id }) })
        : null,
      otherConnection && d.state !== 'sent' && d.state !== 'sending' && !d.customerId
        ? el('button', { type: 'button', class: 'draft-move', text: t('drafts.move'), onclick: () => move(d) })
        : null,
      d.state !== 'sending' || !app.drafts?.progress?.running
        ? el('button', { type: 'button', class: 'draft-discard danger', text: t('drafts.discard'), onclick: () => discard(d) })
        : null));
}

async function discard(d) {
  if (!(await confirmDialog(t('drafts.discardConfirm', { name: d.name || d.cpf || t('drafts.unnamed') }), { danger: true }))) return;
  try {
    await call('discard_drafts', { ids: [d.id] });
    announce(DOM.draftDiscarded, { id: d.id });
    toast(t('drafts.discarded'));
    load();
  } catch (err) {
    toast(describe(err), 'error');
  }
}

/** A draft made for another connection is only sent here once the agent moves it, knowingly. */
async function move(d) {
  const name = d.name || d.cpf || t('drafts.unnamed');
  const here = app.info?.connection?.profileName ?? '';
  const there = view?.profileNames?.get(d.profileId) ?? d.profileId;
  if (!(await confirmDialog(t('drafts.moveConfirm', { name, here, there }), { danger: true }))) return;
  try {
    await call('move_draft', { id: d.id });
    show('register', { draftId: d.id });
  } catch (err) {
    toast(describe(err), 'error');
  }
}

async function importCsv(report) {
  try {
    const file = await call('pick_csv');
    if (file) await importFile(file, report);
  } catch (err) {
    toast(describe(err), 'error');
  }
}

/**
 * Imports a chosen CSV ({ token }): first what it would do (how many rows go, which need fixing
 * and why), and only when the agent confirms, the drafts are queued and the report shown.
 */
export async function importFile(file, report = document.getElementById('import-report')) {
  clear(report);
  try {
    const preview = await call('preview_import', { file: file.token });
    report.append(el('div', { class: 'card import-report', id: 'import-preview', role: 'status' },
      el('p', { id: 'import-preview-counts', text: t('drafts.importPreview', { total: preview.rows.length, queued: preview.queued, attention: preview.attention }) }),
      problems(preview.rows),
      el('div', { class: 'actions' },
        errorsButton(file, preview.rows),
        el('button', { type: 'button', id: 'import-cancel', text: t('register.cancel'), onclick: () => clear(report) }),
        el('button', { type: 'button', id: 'import-confirm', class: 'primary', text: t('drafts.importConfirm', { total: preview.rows.length }),
          onclick: () => confirmImport(file, report) }))));
  } catch (err) {
    importError(report, err);
  }
}

async function confirmImport(file, report) {
  clear(report);
  try {
    const r = await call('import_drafts', { file: file.token });
    report.append(el('div', { class: 'card import-report', id: 'import-summary', role: 'status' },
      el('p', { text: t('drafts.imported', { queued: r.queued, attention: r.attention }) }), problems(r.rows),
      el('div', { class: 'actions' }, errorsButton(file, r.rows))));
    load();
  } catch (err) {
    importError(report, err);
  }
}

const refused = (rows) => rows.filter((row) => Object.keys(row.problems).length);

/** What is wrong with a row, field by field, in words (the list and `erros.csv` say the same). */
const rowReason = (row) =>
  Object.entries(row.problems).map(([field, why]) => `${t(`register.${field}`)}: ${reasonText(why)}`).join('; ');

/** The rows that need fixing, each with its line and reasons, and once imported a way to its draft. */
function problems(rows) {
  const bad = refused(rows);
  return bad.length ? el('ul', { id: 'import-problems' }, bad.map((row) => el('li', { class: 'import-problem', dataset: { line: row.line } },
    t('drafts.importLine', { line: row.line, cpf: row.cpf || '—' }), ' ', rowReason(row),
    row.draftId
      ? el('button', { type: 'button', class: 'link import-fix', text: t('drafts.fix'), onclick: () => show('register', { draftId: row.draftId }) })
      : null))) : null;
}

/** "Baixar erros.csv": the refused rows as written, with their reasons, to fix in the spreadsheet. */
function errorsButton(file, rows) {
  const bad = refused(rows);
  if (!bad.length) return null;
  return el('button', { type: 'button', id: 'import-errors', text: t('drafts.errorsCsv'), onclick: () =>
    saved(call('save_import_errors', { file: file.token, rows: bad.map((row) => ({ line: row.line, reason: rowReason(row) })) })) });
}

function saveTemplate() {
  saved(call('save_csv_template'));
}

/** Says where a file went (nothing when the agent cancelled the dialog). */
async function saved(saving) {
  try {
    const name = await saving;
    if (name) toast(t('drafts.saved', { name }));
  } catch (err) {
    toast(describe(err), 'error');
  }
}

function importError(report, err) {
  report.append(el('div', { class: 'error-box', id: 'import-error', role: 'alert' }, el('p', { text: describe(err) })));
}
