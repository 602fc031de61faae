// New customer: masked inputs, live checks from Rust, and every answer of the API explained.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { toast, describe, errorBox } from '../feedback.js';
import { maskCpf, maskCnpj, maskPhone } from '../masks.js';
import { show } from '../main.js';

export const title = 'title.register';

const FIELDS = [
  { id: 'cpf', required: true, mask: maskCpf, check: 'cpf', inputmode: 'numeric' },
  { id: 'name', required: true },
  { id: 'email', required: true, type: 'email' },
  { id: 'phone', required: true, mask: maskPhone, check: 'phone', inputmode: 'tel' },
  { id: 'cnpj', mask: maskCnpj, check: 'cnpj' },
  { id: 'tradingName' },
  { id: 'externalId' },
];

// The form survives leaving the screen (and a failed send), until it is sent.
let kept = null;

export function render(root) {
  kept ??= { values: {}, key: crypto.randomUUID() };
  const form = el('form', { id: 'register-form', class: 'card register', novalidate: true });
  for (const f of FIELDS) {
    const input = el('input', { id: `reg-${f.id}`, name: f.id, type: f.type ?? 'text', inputmode: f.inputmode, autocomplete: 'off',
      required: f.required, 'aria-describedby': `reg-${f.id}-error`, value: kept.values[f.id] ?? '' });
    const error = el('small', { class: 'field-error', id: `reg-${f.id}-error`, 'aria-live': 'polite' });
    let timer;
    input.addEventListener('input', () => {
      if (f.mask) input.value = f.mask(input.value);
      kept.values[f.id] = input.value;
      if (!f.check) return;
      clearTimeout(timer);
      timer = setTimeout(() => live(f, input, error), 150);
    });
    form.append(el('div', { class: 'field' },
      el('label', { for: `reg-${f.id}`, text: t(`register.${f.id}`) + (f.required ? ' *' : '') }), input, error));
  }
  const outcome = el('div', { id: 'register-outcome', 'aria-live': 'polite' });
  form.append(el('div', { class: 'actions' },
    el('button', { type: 'button', id: 'reg-cancel', text: t('register.cancel'), onclick: () => show('customers') }),
    el('button', { type: 'submit', id: 'reg-submit', class: 'primary', text: t('register.submit') })), outcome);
  form.addEventListener('submit', (e) => { e.preventDefault(); submit(form, outcome); });
  root.append(form);
  form.querySelector('#reg-cpf').focus();
}

async function live(f, input, error) {
  if (!input.value) { error.textContent = ''; input.removeAttribute('aria-invalid'); return; }
  try {
    const verdict = await call('validate_field', { field: f.check, value: input.value });
    error.textContent = verdict.valid ? '' : verdict.message;
    if (verdict.valid) input.removeAttribute('aria-invalid'); else input.setAttribute('aria-invalid', 'true');
  } catch (err) {
    error.textContent = describe(err);
  }
}

async function submit(form, outcome) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  clear(outcome);
  const values = Object.fromEntries(FIELDS.map((f) => [f.id, form.querySelector(`#reg-${f.id}`).value]));
  const button = form.querySelector('#reg-submit');
  button.disabled = true;
  try {
    const result = await call('register_customer', { form: values, idempotencyKey: kept.key });
    kept = null;
    toast(t(result.outcome === 'created' ? 'register.done' : 'register.existing'));
    show('customer', { id: result.customerId, notice: result.outcome });
  } catch (err) {
    button.disabled = false;
    if (err.code === 'validation') {
      for (const [field, message] of Object.entries(err.fields ?? {})) {
        const target = form.querySelector(`#reg-${field === 'trading_name' ? 'tradingName' : field === 'external_id' ? 'externalId' : field}-error`);
        if (target) target.textContent = message;
      }
      outcome.append(el('p', { class: 'field-error', id: 'register-invalid', text: t('error.validation') }));
    } else if (err.code === 'conflict' && err.customerId) {
      outcome.append(el('div', { class: 'error-box', id: 'register-conflict', role: 'alert' },
        el('p', { text: t('register.conflict') }),
        el('button', { type: 'button', id: 'register-conflict-open', text: t('register.openExisting'),
          onclick: () => { kept = null; show('customer', { id: err.customerId }); } })));
    } else {
      // Network or server trouble: the form stays, and sending again reuses the same
      // idempotency key, so the borrower cannot be registered twice.
      outcome.append(errorBox(err, () => submit(form, outcome)));
    }
  }
}
