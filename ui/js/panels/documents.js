// KYC documents on a customer's detail: drop files on a requirement of the checklist (or
// anywhere on the detail) or pick them, see where each goes (which requirement, which evidence,
// which side) before sending and change it, then upload with progress and Cancel.
import { call } from '../ipc.js';
import { Channel, convertFileSrc } from '../../vendor/tauri-api/core.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { toast, toastError } from '../feedback.js';
import { describe, label } from '../labels.js';
import { DOM, hear } from '../app-state.js';

const docs = { customer: null, files: [], onUpdated: null, panel: null, unlisten: [] };

/** The documents panel of `customer`; `onUpdated(detail)` repaints the detail after an upload. */
export function documentsPanel(customer, onUpdated) {
  // The files sent from this screen, by name and size, for this customer only.
  if (docs.customer?.id !== customer.id) docs.sent = new Set();
  docs.customer = customer;
  docs.onUpdated = onUpdated;
  docs.panel = el('section', { class: 'card', id: 'uploads', 'aria-live': 'polite' },
    el('h3', { text: t('docs.title') }),
    el('p', { class: 'help', text: t('docs.hint') }),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'choose-files', text: t('docs.choose'), onclick: () => pick(null) }),
      el('button', { type: 'button', id: 'assign-in-order', hidden: true, title: t('docs.inOrderHint'), text: t('docs.inOrder'), onclick: assignInOrder }),
      el('button', { type: 'button', id: 'send-uploads', class: 'primary', text: t('docs.sendAll'), onclick: sendAll })),
    el('ul', { class: 'upload-list', id: 'upload-list' }));
  paintFiles();
  return docs.panel;
}

/** The text of a slot: whose, which requirement, which evidence and side. */
function slotText(slot) {
  const req = docs.customer.groups.flatMap((g) => g.requirements).find((k) => k.requirementId === slot.requirementId);
  const who = slot.subject ? ` — ${slot.subject}` : '';
  return `${req?.label ?? slot.requirementType}${who}: ${label(`evidence.${slot.evidence}`, slot.evidence)} (${label(`attachment.${slot.attachment}`, slot.attachment)})`;
}

/** Starts listening to the window's native drag-and-drop while a detail is open. */
export function startDropTarget() {
  stopDropTarget();
  docs.unlisten = [
    hear(DOM.dragOver, (over) => highlight(over.position)),
    hear(DOM.dragLeave, () => highlight(null)),
    hear(DOM.dragDrop, (drop) => handleDrop(drop)),
  ];
}

export function stopDropTarget() {
  for (const off of docs.unlisten) off();
  docs.unlisten = [];
  docs.files = [];
}

function itemAt(position) {
  if (!position) return null;
  const ratio = window.devicePixelRatio || 1;
  return document.elementFromPoint(position.x / ratio, position.y / ratio)?.closest('.kyc-item[data-kind="document"]') ?? null;
}

function highlight(position) {
  const target = itemAt(position);
  for (const item of document.querySelectorAll('.kyc-item.drop-target')) if (item !== target) item.classList.remove('drop-target');
  target?.classList.add('drop-target');
  document.getElementById('customer-detail')?.classList.toggle('dropping', Boolean(position));
}

/** A native drop: files dropped on a requirement go to it; elsewhere a slot is proposed. */
export async function handleDrop(payload) {
  const target = itemAt(payload.position);
  highlight(null);
  await addFiles(payload.files ?? [], target?.dataset.requirement ?? null);
}

/** The native picker; `requirementId` is the requirement asked for, or null to propose one. */
export async function pick(requirementId) {
  try {
    const files = await call('pick_documents');
    if (files.length) await addFiles(files, requirementId);
  } catch (err) {
    toastError(err);
  }
}

/** Checks chosen files ({ token, name, size }, picked or dropped) and lists each with its verdict. */
export async function addFiles(files, requirementId) {
  if (!docs.customer || !files.length) return;
  try {
    const checks = await call('inspect_documents', { customerId: docs.customer.id, files: files.map((f) => f.token), slot: null, droppedOn: requirementId });
    for (const c of checks) {
      // The same file again, by its content (whatever its name): already listed, or sent.
      const listed = docs.files.some((x) => sameFile(x, c)
        && (x.status !== 'refused' || PLACEMENT.includes(x.problem?.code)));
      const sent = docs.sent?.has(fileKey(c));
      const problem = sent ? { code: 'already_sent' } : listed ? { code: 'duplicate' } : c.problem;
      docs.files.push({ ...c, problem, id: crypto.randomUUID(), status: problem ? 'refused' : 'ready' });
    }
    paintFiles();
  } catch (err) {
    toastError(err);
  }
}

/** What makes two files the same: their content's digest (name and size when it is unknown). */
const fileKey = (f) => f.digest ?? `${f.name}:${f.size}`;
const sameFile = (a, b) => fileKey(a) === fileKey(b);

function paintFiles() {
  const list = docs.panel?.querySelector('#upload-list');
  if (!list) return;
  clear(list).append(...docs.files.map(fileRow));
  docs.panel.querySelector('#assign-in-order').hidden = !unplaced().length;
}

/** The files whose place is still to choose (their names gave no clue). */
const unplaced = () => docs.files.filter((f) => f.problem?.code === 'choose_type');

/**
 * "Na ordem da lista": the files still without a place go, in the order they are listed, to the
 * requirements still missing, in the checklist's order (each placed within its requirement as a
 * drop on it would be: the Rust checks choose the evidence and side, and may still refuse).
 */
async function assignInOrder() {
  const taken = new Set(docs.files.filter((f) => f.slot && f.status !== 'refused').map((f) => f.slot.split(':')[0]));
  const free = docs.customer.groups.flatMap((g) => g.requirements)
    .filter((k) => k.action === 'upload' && !taken.has(k.requirementId));
  try {
    for (const [i, f] of unplaced().entries()) {
      if (!free[i]) break;
      const [again] = await call('inspect_documents', { customerId: docs.customer.id, files: [f.file], slot: null, droppedOn: free[i].requirementId });
      Object.assign(f, again, { status: again.problem ? 'refused' : 'ready' });
    }
  } catch (err) {
    toastError(err);
  }
  paintFiles();
}

/** Problems of a file's place, not its content: it is still shown, and its place chosen. */
const PLACEMENT = ['choose_type', 'type_not_needed', 'already_approved'];

/** "820 KB", "2,6 MB" (never "0.0 MB"). */
function size(bytes) {
  const lang = document.documentElement.lang || 'pt-BR';
  return bytes < 1048576
    ? `${Math.max(1, Math.round(bytes / 1024)).toLocaleString(lang)} KB`
    : `${(bytes / 1048576).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`;
}

function fileRow(f) {
  const preview = f.format === 'pdf'
    ? el('span', { class: 'pdf-badge', text: f.pages ? t('docs.pages', { count: f.pages }) : 'PDF' })
    : f.format && (!f.problem || PLACEMENT.includes(f.problem.code)) ? el('img', { class: 'thumb', alt: f.name, src: convertFileSrc(f.file, 'preview') })
      : el('span', { class: 'pdf-badge', text: '?' });
  // Only what the customer still lacks (and the file's own choice) is offered.
  const open = new Set(docs.customer.groups.flatMap((g) => g.requirements).filter((k) => k.action === 'upload').map((k) => k.requirementId));
  const type = el('select', { class: 'upload-type', 'aria-label': t('docs.type'), disabled: f.status === 'sending' },
    el('option', { value: '', text: t('docs.chooseType') }),
    docs.customer.slots.filter((s) => open.has(s.requirementId) || f.slot === s.key)
      .map((s) => el('option', { value: s.key, text: slotText(s), selected: f.slot === s.key })));
  type.addEventListener('change', async () => {
    if (!type.value) return;
    const again = await call('inspect_documents', { customerId: docs.customer.id, files: [f.file], slot: type.value, droppedOn: null });
    Object.assign(f, again[0], { status: again[0].problem ? 'refused' : 'ready' });
    paintFiles();
  });
  const row = el('li', { class: 'upload', dataset: { name: f.name, status: f.status, slot: f.slot ?? '' } },
    preview,
    el('div', { class: 'upload-body' },
      el('strong', { text: f.name }),
      el('span', { class: 'help upload-size', text: `${size(f.size)}${f.format ? ` · ${f.format.toUpperCase()}` : ''}` }),
      // A file that cannot be sent has no place to choose.
      f.problem && !PLACEMENT.includes(f.problem.code) ? null : type,
      f.problem ? el('p', { class: 'upload-problem', role: 'alert', text: t(`docs.problem.${f.problem.code}`, { detail: f.problem.message, ...f.problem.vars }) }) : null,
      f.error ? el('p', { class: 'upload-problem', role: 'alert', text: f.error }) : null,
      f.status === 'sending' ? el('progress', { class: 'upload-progress', max: String(f.size || 1), value: String(f.sent ?? 0) }) : null),
    el('div', { class: 'actions' },
      f.status === 'ready' ? el('button', { type: 'button', class: 'upload-send primary', text: t('docs.send'), onclick: () => send(f) }) : null,
      f.status === 'sending' ? el('button', { type: 'button', class: 'upload-cancel', text: t('docs.cancel'), onclick: () => cancel(f) }) : null,
      f.status !== 'sending' ? el('button', { type: 'button', class: 'upload-remove', text: t('docs.remove'), onclick: () => { docs.files = docs.files.filter((x) => x !== f); paintFiles(); } }) : null));
  return row;
}

async function send(f, quiet = false) {
  f.status = 'sending';
  f.sent = 0;
  f.error = null;
  paintFiles();
  const channel = new Channel();
  channel.onmessage = (event) => {
    f.sent = event.sent;
    const bar = docs.panel?.querySelector(`.upload[data-name="${CSS.escape(f.name)}"] progress`);
    if (bar) bar.value = event.sent;
  };
  try {
    const detail = await call('upload_document', { request: { customerId: docs.customer.id, file: f.file, slot: f.slot, uploadId: f.id }, onProgress: channel });
    docs.files = docs.files.filter((x) => x !== f);
    docs.sent?.add(fileKey(f));
    if (!quiet) toast(t('docs.sent', { name: f.name }));
    docs.customer = detail;
    docs.onUpdated?.(detail);
  } catch (err) {
    // Cancelled or failed, the file stays ready to be sent again, with why it was not.
    f.status = 'ready';
    f.error = err.code === 'cancelled' ? t('docs.cancelled') : problemText(err) + (err.requestId ? ` (${err.requestId})` : '');
    paintFiles();
  }
}

/** A refusal of the Rust checks in the agent's language, or the error as usual. */
function problemText(err) {
  return label(`docs.problem.${err.code}`, describe(err), { detail: err.message, ...err.reason?.vars });
}

async function cancel(f) {
  await call('cancel_upload', { uploadId: f.id });
}

async function sendAll() {
  const ready = docs.files.filter((x) => x.status === 'ready');
  for (const f of ready) await send(f, true);
  const sent = ready.filter((f) => !docs.files.includes(f)).length;
  if (sent) toast(t('docs.sentMany', { count: sent }));
}
