// Settings → Connections: profiles, the write-only secret, test, use, edit, delete.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { toast, toastError } from '../feedback.js';
import { describe, reasonText } from '../labels.js';
import { confirmDialog } from '../confirm.js';
import { app } from '../app-state.js';
import { switched } from '../chrome.js';

const KINDS = ['dinie_sandbox', 'production', 'custom'];

/** The connections card of the Settings screen. */
export function connectionsPanel() {
  const section = el('section', { class: 'card', id: 'connections' }, el('h2', { text: t('connections.title') }));
  const list = el('div', { id: 'profile-list' });
  const formSlot = el('div', { id: 'profile-form-slot' });
  section.append(list, el('button', { type: 'button', id: 'add-profile', class: 'primary', text: t('connections.add'), onclick: () => showForm(formSlot, list) }), formSlot);
  loadList(list, formSlot);
  return section;
}

async function loadList(list, formSlot) {
  let data;
  try {
    data = await call('list_profiles');
  } catch (err) {
    clear(list).append(el('p', { class: 'error-message', text: describe(err) }));
    return;
  }
  clear(list).append(...data.profiles.map((p) => row(p, p.id === data.activeId, list, formSlot)));
}

function row(p, active, list, formSlot) {
  const result = el('p', { class: 'test-result', id: `test-result-${p.id}`, 'aria-live': 'polite' });
  const details = [t(`connections.kind.${p.kind}`)];
  if (p.maskedClientId) details.push(p.maskedClientId);
  if (p.kind !== 'embedded') details.push(t(p.hasSecret ? 'connections.secretStored' : 'connections.noSecret'));
  const actions = el('div', { class: 'actions' },
    el('button', { type: 'button', id: `test-${p.id}`, text: t('connections.test'), onclick: () => test(p, result) }));
  if (!active) actions.append(el('button', { type: 'button', id: `use-${p.id}`, text: t('connections.use'), onclick: () => use(p, list, formSlot) }));
  if (p.kind !== 'embedded') {
    actions.append(
      el('button', { type: 'button', id: `edit-${p.id}`, text: t('connections.edit'), onclick: () => showForm(formSlot, list, p) }),
      el('button', { type: 'button', id: `delete-${p.id}`, class: 'danger', text: t('connections.delete'), onclick: () => remove(p, list, formSlot) }));
  }
  return el('div', { class: 'profile', dataset: { id: p.id, kind: p.kind, live: String(p.kind === 'production' || p.environment === 'live') } },
    el('div', { class: 'profile-head' },
      el('strong', { class: 'profile-name', text: p.name }),
      active ? el('span', { class: 'status-badge', dataset: { status: 'active' }, id: 'active-profile', text: t('connections.active') }) : null),
    el('p', { class: 'request-id', text: details.join(' · ') }),
    actions, result);
}

async function test(p, result) {
  result.dataset.state = 'testing';
  result.textContent = t('connections.testing');
  try {
    const r = await call('test_connection', { id: p.id });
    result.dataset.state = 'ok';
    result.textContent = t('connections.ok', {
      ms: r.latencyMs, env: r.environment ?? '—',
      remaining: r.rateLimit?.remaining ?? '—', limit: r.rateLimit?.limit ?? '—',
    });
  } catch (err) {
    result.dataset.state = 'error';
    result.textContent = describe(err) + (err.requestId ? ` (${err.requestId})` : '');
  }
}

async function use(p, list, formSlot) {
  const live = p.kind === 'production' || p.environment === 'live';
  if (live && !(await confirmDialog(t('connections.confirmLive', { name: p.name }), { danger: true }))) return;
  try {
    const info = await call('activate_profile', { id: p.id, confirmLive: live });
    switched(info);
    toast(t('connections.switched', { name: p.name }));
    loadList(list, formSlot);
  } catch (err) {
    toastError(err);
  }
}

async function remove(p, list, formSlot) {
  if (!(await confirmDialog(t('connections.confirmDelete', { name: p.name }), { danger: true }))) return;
  try {
    await call('delete_profile', { id: p.id });
    toast(t('connections.deleted'));
    if (app.info.connection.profileId === p.id) {
      const info = await call('app_info');
      switched(info.connection);
    }
    loadList(list, formSlot);
  } catch (err) {
    toastError(err);
  }
}

function field(id, labelKey, input, help) {
  return el('div', { class: 'field', id: `${id}-field` },
    el('label', { for: id, text: t(labelKey) }), input,
    help ? el('small', { class: 'help', text: help }) : null,
    el('small', { class: 'field-error', id: `${id}-error`, role: 'alert' }));
}

function showForm(slot, list, existing) {
  const kind = el('select', { id: 'profile-kind' },
    KINDS.map((k) => el('option', { value: k, text: t(`connections.kind.${k}`), selected: existing?.kind === k })));
  const url = el('input', { id: 'profile-url', type: 'url', value: existing?.kind === 'custom' ? existing.baseUrl : '', placeholder: 'https://…/api/v3', autocomplete: 'off' });
  const urlField = field('profile-url', 'connections.form.url', url);
  const syncKind = () => { urlField.hidden = kind.value !== 'custom'; };
  kind.addEventListener('change', syncKind);
  syncKind();
  // The secret is write-only: never pre-filled, never read back.
  const secret = el('input', { id: 'profile-secret', type: 'password', autocomplete: 'new-password', spellcheck: 'false',
    placeholder: existing ? t('connections.form.secretKeep') : 'dinie_cs_…' });
  const form = el('form', { id: 'profile-form', class: 'profile-form', novalidate: true },
    el('h3', { text: t(existing ? 'connections.form.edit' : 'connections.form.new') }),
    field('profile-name', 'connections.form.name', el('input', { id: 'profile-name', value: existing?.name ?? '', autocomplete: 'off' })),
    field('profile-kind', 'connections.form.kind', kind),
    urlField,
    field('profile-client-id', 'connections.form.clientId', el('input', { id: 'profile-client-id', autocomplete: 'off', spellcheck: 'false', placeholder: existing?.maskedClientId ?? 'dinie_ci_…' })),
    field('profile-secret', 'connections.form.secret', secret, t('connections.form.secretHelp')),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'profile-cancel', text: t('connections.form.cancel'), onclick: () => clear(slot) }),
      el('button', { type: 'submit', id: 'profile-save', class: 'primary', text: t('connections.form.save') })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const err of form.querySelectorAll('.field-error')) err.textContent = '';
    const input = {
      id: existing?.id ?? null,
      name: form.querySelector('#profile-name').value,
      kind: kind.value,
      baseUrl: kind.value === 'custom' ? url.value : null,
      clientId: form.querySelector('#profile-client-id').value,
      clientSecret: secret.value,
    };
    secret.value = '';
    try {
      await call('save_profile', { input });
      toast(t('connections.saved'));
      clear(slot);
      loadList(list, slot);
    } catch (err) {
      const ids = { name: 'profile-name', baseUrl: 'profile-url', clientId: 'profile-client-id', clientSecret: 'profile-secret' };
      for (const [name, reason] of Object.entries(err.fields ?? {})) {
        const target = form.querySelector(`#${ids[name] ?? name}-error`);
        if (target) target.textContent = reasonText(reason);
      }
      toastError(err);
    }
  });
  clear(slot).append(form);
  form.querySelector('#profile-name').focus();
}
