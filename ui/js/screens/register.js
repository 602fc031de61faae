// New customer, as a draft: masked inputs, live checks from Rust, autosave while typing,
// documents attached before the customer exists, and every answer of the API explained.
// Offline, sending queues the draft; it goes out when the connection is back.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { toast, errorBox } from '../feedback.js';
import { describe, reasonText } from '../labels.js';
import { maskCpf, maskCnpj, maskPhone } from '../masks.js';
import { show } from '../router.js';
import { app, DOM, hear } from '../app-state.js';
import { ago } from '../format.js';

/** "Novo cliente", or "Editar rascunho" for a draft opened to edit. */
export const title = (params = {}) => (params.draftId ? 'title.editDraft' : 'title.register');

// Every borrower is a company: its CNPJ and its owner's CPF are required; the name is not
// (Dinie looks the company up) and the trading name is Dinie's to find (a draft of the previous
// release keeps the one it had, unsent).
const FIELDS = [
  { id: 'cnpj', required: true, mask: maskCnpj, check: 'cnpj' },
  { id: 'cpf', required: true, mask: maskCpf, check: 'cpf', inputmode: 'numeric', label: 'cpfOwner' },
  { id: 'name' },
  { id: 'email', required: true, type: 'email', check: 'email' },
  { id: 'phone', required: true, mask: maskPhone, check: 'phone', inputmode: 'tel' },
  { id: 'externalId' },
];
const AUTOSAVE_MS = 500;

// The draft on screen (every change is autosaved to it). "Novo cliente" always starts a blank
// one; a draft left half-typed is offered back ("Continuar o rascunho de…") and opened by id.
let kept = null;
let pendingSave = null;
let unlisten = [];

function fresh() {
  return { id: crypto.randomUUID(), values: {}, documents: [], problem: null, customerId: null };
}

export async function render(root, params = {}) {
  if (params.draftId && params.draftId !== kept?.id) {
    try {
      const d = await call('get_draft', { id: params.draftId });
      kept = { id: d.id, values: { ...d.form }, documents: d.documents, problem: d.problem, customerId: d.customerId,
        createUnconfirmed: d.createUnconfirmed };
    } catch (err) {
      root.append(errorBox(err));
      return;
    }
    // The agent left while the draft was loading.
    if (!root.isConnected) return;
  } else if (!params.draftId && params.blank !== kept?.id) {
    kept = fresh();
  }
  kept ??= fresh();
  // Shown again with the same parameters (a language change): the same draft stays.
  if (!params.draftId) params.blank = kept.id;
  const form = el('form', { id: 'register-form', class: 'card register', novalidate: true, dataset: { draft: kept.id } });
  const registered = Boolean(kept.customerId);
  // A create may have reached Dinie unanswered: who it registers cannot change until the next
  // send finds out (the back end refuses it too).
  const frozen = new Set(kept.createUnconfirmed ? ['cpf', 'cnpj', 'externalId'] : []);
  for (const f of FIELDS) {
    const input = el('input', { id: `reg-${f.id}`, name: f.id, type: f.type ?? 'text', inputmode: f.inputmode, autocomplete: 'off',
      required: f.required, 'aria-describedby': `reg-${f.id}-error`, value: kept.values[f.id] ?? '', readonly: registered || frozen.has(f.id) });
    const error = el('small', { class: 'field-error', id: `reg-${f.id}-error`, 'aria-live': 'polite' });
    let timer;
    input.addEventListener('input', () => {
      if (f.mask) input.value = f.mask(input.value);
      kept.values[f.id] = input.value;
      autosave();
      if (!f.check) return;
      clearTimeout(timer);
      timer = setTimeout(() => live(f, input, error), 150);
    });
    form.append(el('div', { class: 'field' },
      el('label', { for: `reg-${f.id}`, text: t(`register.${f.label ?? f.id}`) + (f.required ? ' *' : '') }), input, error));
  }
  form.append(documentsSection(form));
  const outcome = el('div', { id: 'register-outcome', 'aria-live': 'polite' });
  if (params.notice) outcome.append(el('p', { class: 'notice', id: 'register-notice', text: params.notice }));
  form.append(el('div', { class: 'actions' },
    el('button', { type: 'button', id: 'reg-cancel', text: t('register.cancel'), onclick: () => show(params.draftId ? 'drafts' : 'customers') }),
    el('button', { type: 'submit', id: 'reg-submit', class: 'primary', text: t(registered || kept.problem ? 'register.resend' : 'register.submit') }),
    el('small', { id: 'draft-saved', class: 'help', 'aria-live': 'polite' })), outcome);
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(form, outcome); });
  root.append(form);
  if (frozen.size && !registered) outcome.append(el('p', { class: 'notice', id: 'register-frozen', text: t('register.frozen') }));
  if (registered) {
    outcome.append(el('p', { class: 'notice', id: 'register-linked' }, t('register.linked'), ' ',
      el('button', { type: 'button', id: 'register-linked-open', text: t('drafts.openCustomer'), onclick: () => show('customer', { id: kept.customerId }) })));
  }
  if (kept.problem) showProblem(form, outcome, kept.problem);
  if (!params.draftId) offerDrafts(form, kept.id);
  unlisten.push(hear(DOM.dragDrop, (drop) => { if (form.isConnected) attachAll(form, drop.files ?? []); }));
  form.querySelector('#reg-cpf').focus();
}

/** Most drafts offered back at the top of a blank form. */
const OFFERED = 3;

/** Offers the drafts left half-typed on this connection, newest first, above a blank form. */
async function offerDrafts(form, shownId) {
  let rows;
  try {
    rows = (await call('list_drafts')).drafts;
  } catch {
    return; // The offer is a convenience: the Drafts screen says what is wrong.
  }
  const profileId = app.info?.connection?.profileId;
  const left = rows.filter((d) => d.state === 'editing' && d.id !== shownId && d.profileId === profileId && (d.name || d.cpf))
    .sort((a, b) => b.updatedAt - a.updatedAt).slice(0, OFFERED);
  if (!left.length || !form.isConnected || kept?.id !== shownId) return;
  form.prepend(el('div', { class: 'notice register-continue', id: 'register-continue' },
    left.map((d) => el('button', { type: 'button', class: 'link continue-draft', dataset: { id: d.id },
      text: t('register.continue', { name: d.name || d.cpf, ago: ago(d.updatedAt) }),
      onclick: () => show('register', { draftId: d.id }) }))));
}

// A draft discarded on the Drafts screen is forgotten here too, if it is the one kept.
hear(DOM.draftDiscarded, ({ id }) => { if (kept?.id === id) kept = null; });

export function leave() {
  for (const stop of unlisten) stop();
  unlisten = [];
  if (pendingSave) { clearTimeout(pendingSave.timer); pendingSave.run(); }
}

function values(form) {
  // Fields the form no longer shows (a previous release's trading name) are kept as they were.
  return { ...(kept?.values ?? {}), ...Object.fromEntries(FIELDS.map((f) => [f.id, form.querySelector(`#reg-${f.id}`).value])) };
}

/** Saves the draft a moment after the agent stops typing (and when leaving the screen). */
function autosave() {
  if (pendingSave) clearTimeout(pendingSave.timer);
  const draft = kept;
  const run = async () => {
    pendingSave = null;
    const status = document.getElementById('draft-saved');
    try {
      await call('save_draft', { id: draft.id, form: { ...draft.values } });
      if (status) status.textContent = t('register.saved');
    } catch (err) {
      if (status) status.textContent = `${t('register.notSaved')} ${describe(err)}`;
    }
  };
  pendingSave = { run, timer: setTimeout(run, AUTOSAVE_MS) };
}

async function live(f, input, error) {
  if (!input.value) { error.textContent = ''; input.removeAttribute('aria-invalid'); return; }
  try {
    const verdict = await call('validate_field', { field: f.check, value: input.value });
    error.textContent = verdict.valid ? '' : reasonText(verdict.reason);
    if (verdict.valid) input.removeAttribute('aria-invalid'); else input.setAttribute('aria-invalid', 'true');
  } catch (err) {
    error.textContent = describe(err);
  }
}

function documentsSection(form) {
  const list = el('ul', { id: 'draft-documents', class: 'checklist' });
  const section = el('fieldset', { class: 'draft-docs' },
    el('legend', { text: t('register.documents') }),
    el('p', { class: 'help', text: t('register.documentsHelp') }),
    list,
    el('button', { type: 'button', id: 'draft-attach', text: t('register.attach'), onclick: async () => attachAll(form, await call('pick_documents')) }),
    el('p', { class: 'field-error', id: 'draft-documents-error', 'aria-live': 'polite' }));
  renderDocuments(list);
  return section;
}

function renderDocuments(list = document.getElementById('draft-documents')) {
  if (!list) return;
  clear(list).append(...kept.documents.map((d) => {
    const select = el('select', { class: 'draft-doc-type', 'aria-label': t('register.docType'), disabled: d.state === 'uploaded' },
      el('option', { value: '', text: t('register.chooseType') }),
      // The selfie is the capture's now: offered only to a draft of the previous release that has one.
      app.info.documentTypes.filter((type) => type !== 'selfie' || d.docType === 'selfie')
        .map((type) => el('option', { value: type, text: t(`doctype.${type}`), selected: d.docType === type })));
    select.addEventListener('change', async () => {
      try {
        await call('set_draft_document_type', { id: d.id, docType: select.value });
        d.docType = select.value;
        d.state = 'pending';
        d.problem = null;
        renderDocuments();
      } catch (err) { toast(describe(err), 'error'); }
    });
    return el('li', { class: 'kyc-item draft-doc', dataset: { state: d.state, type: d.docType } },
      el('div', { class: 'kyc-head' },
        el('span', { class: 'draft-doc-name', text: `${d.name} · ${(d.size / 1024).toFixed(0)} KB` }),
        select,
        el('span', { class: 'status-badge', dataset: { status: d.state }, text: t(`drafts.doc.${d.state}`) }),
        d.state === 'uploaded' ? null : el('button', { type: 'button', class: 'draft-doc-remove', text: t('register.remove'), onclick: async () => {
          try {
            await call('remove_draft_document', { id: d.id });
            kept.documents = kept.documents.filter((x) => x.id !== d.id);
            renderDocuments();
          } catch (err) { toast(describe(err), 'error'); }
        } })),
      d.problem ? el('p', { class: 'kyc-message', text: reasonText(d.problem) }) : null);
  }));
}

/** Attaches chosen files ({ token, name }) to the draft on screen, as the picker or a drop does. */
export async function attachFiles(files) {
  const form = document.getElementById('register-form');
  if (form) await attachAll(form, files);
}

async function attachAll(form, files) {
  const error = document.getElementById('draft-documents-error');
  if (error) error.textContent = '';
  for (const file of files) {
    try {
      const doc = await call('attach_draft_document', { draftId: kept.id, form: values(form), file: file.token, docType: null });
      kept.documents.push(doc);
      renderDocuments();
    } catch (err) {
      if (error) error.textContent = `${file.name}: ${describe(err)}`;
    }
  }
}

function showProblem(form, outcome, err) {
  for (const [field, reason] of Object.entries(err.fields ?? {})) {
    // Rust names the fields as the form does (camelCase).
    const target = form.querySelector(`#reg-${field}-error`);
    if (target) target.textContent = reasonText(reason);
    form.querySelector(`#reg-${field}`)?.setAttribute('aria-invalid', 'true');
  }
  if (err.code === 'conflict') {
    // At the top, where the agent looks: the CPF is known (with another external id only when
    // the agent typed one). Opening the customer discards this refused draft.
    const typedExternalId = Boolean(err.fields?.externalId);
    const box = el('div', { class: 'error-box', id: 'register-conflict', role: 'alert' },
      el('p', { class: 'conflict-title', text: t(typedExternalId ? 'register.conflict' : 'reason.cpf.registered') }));
    if (err.customerId) {
      const draftId = kept?.id;
      box.append(el('button', { type: 'button', id: 'register-conflict-open', class: 'primary', text: t('register.openExisting'),
        onclick: async () => {
          if (draftId) await call('discard_drafts', { ids: [draftId] }).catch(() => {});
          if (kept?.id === draftId) kept = null;
          show('customer', { id: err.customerId });
        } }));
    }
    form.prepend(box);
    box.scrollIntoView?.({ block: 'nearest' });
  } else if (err.code === 'validation') {
    outcome.append(el('p', { class: 'field-error', id: 'register-invalid', text: t('error.validation') }));
  } else if (err.code === 'document_not_needed') {
    outcome.append(el('p', { class: 'field-error', id: 'register-documents-refused', text: describe(err) }));
  } else {
    outcome.append(el('p', { class: 'field-error', id: 'register-refused', text: describe(err) }));
  }
}

async function submit(form, outcome) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  form.querySelector('#register-conflict')?.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  clear(outcome);
  if (pendingSave) clearTimeout(pendingSave.timer);
  pendingSave = null;
  const button = form.querySelector('#reg-submit');
  button.disabled = true;
  try {
    const result = await call('submit_draft', { id: kept.id, form: values(form) });
    kept = null;
    if (result.outcome === 'created' || result.outcome === 'existing') {
      toast(t(result.outcome === 'created' ? 'register.done' : 'register.existing'));
      show('customer', { id: result.customerId, notice: result.outcome });
    } else if (result.outcome === 'attention') {
      toast(reasonText(result.reason), 'error');
      show('customer', { id: result.customerId });
    } else {
      // No answer (or a failing server): the draft waits in the queue; a fresh form follows.
      const message = t(result.outcome === 'queued' ? 'register.queued' : 'register.retrying');
      toast(message);
      show('register', { notice: message });
    }
  } catch (err) {
    button.disabled = false;
    if (['validation', 'conflict'].includes(err.code)) {
      showProblem(form, outcome, err);
    } else {
      // Anything else: the draft and the form stay; sending again is safe (same draft id).
      outcome.append(errorBox(err, () => submit(form, outcome)));
    }
  }
}
