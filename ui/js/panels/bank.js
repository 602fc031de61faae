// The bank account a customer's credit is paid into: shown, and set by the agent with the bank
// chosen from Dinie's list (the borrower may also enter it during the biometrics).
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { toast, toastError } from '../feedback.js';
import { label, describe } from '../labels.js';

const KINDS = ['checking', 'saving', 'payment'];

/** The bank account card; `onView(view)` repaints the detail after a save. */
export function bankCard(c, onView) {
  const a = c.bankAccount;
  const body = el('div', { id: 'bank-account' },
    a ? el('p', { id: 'bank-account-shown' },
      `${a.bankId} - ${a.bankName} · ${t('customer.bankBranch')} ${a.branch} · ${t('customer.bankNumber')} ${a.number}-${a.digit} · ${label(`customer.bankKind.${a.kind}`, a.kind)}`)
      : el('p', { class: 'help', id: 'bank-account-none', text: t('customer.bankNone') }));
  const edit = el('button', { type: 'button', id: 'bank-edit', text: t('customer.bankEdit'), onclick: () => openForm(c, body, onView) });
  return el('section', { class: 'card', id: 'bank-card' }, el('h3', { text: t('customer.bank') }), body, edit);
}

async function openForm(c, body, onView) {
  let banks;
  try {
    banks = await call('list_banks');
  } catch (err) {
    toastError(err);
    return;
  }
  const a = c.bankAccount ?? {};
  const field = (id, text, input) => el('div', { class: 'field' }, el('label', { for: id, text }), input);
  const input = (id, value, max) => el('input', { id, value: value ?? '', inputmode: 'numeric', maxlength: String(max), autocomplete: 'off' });
  const form = el('form', { id: 'bank-form', novalidate: true },
    field('bank-bank', t('customer.bankBank'), el('select', { id: 'bank-bank' },
      banks.map((b) => el('option', { value: b.id, text: b.display_name || `${b.id} - ${b.name}`, selected: b.id === a.bankId })))),
    field('bank-branch', t('customer.bankBranch'), input('bank-branch', a.branch, 5)),
    field('bank-number', t('customer.bankNumber'), input('bank-number', a.number, 20)),
    field('bank-digit', t('customer.bankDigit'), input('bank-digit', a.digit, 1)),
    field('bank-kind', t('customer.bankKind'), el('select', { id: 'bank-kind' },
      KINDS.map((k) => el('option', { value: k, text: t(`customer.bankKind.${k}`), selected: k === (a.kind ?? 'checking') })))),
    el('small', { class: 'field-error', id: 'bank-error', 'aria-live': 'polite' }),
    el('button', { type: 'submit', class: 'primary', id: 'bank-save', text: t('customer.bankSave') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    // The crate's wire type, snake_case as Dinie's API.
    const account = { bank_id: v('bank-bank'), branch: v('bank-branch'), number: v('bank-number'), digit: v('bank-digit'), kind: v('bank-kind') };
    try {
      const view = await call('save_bank_account', { id: c.id, account });
      toast(t('customer.bankSaved'));
      onView(view);
    } catch (err) {
      form.querySelector('#bank-error').textContent = describe(err);
      toastError(err);
    }
  });
  clear(body).append(form);
}
