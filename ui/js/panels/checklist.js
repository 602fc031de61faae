// A customer's KYC checklist, grouped by whom each requirement is about (the company, the
// applicant, each co-owner), with what was sent of each, the review and, when rejected, why and
// what to do; data requirements (a co-owner's e-mail) take their value here; and the Submit for
// review action, enabled once every mandatory requirement is complete.
import { call } from '../ipc.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { toast, toastError } from '../feedback.js';
import { label, describe, reasonText } from '../labels.js';

/** `evidence.cnh` or the raw value. */
export function evidenceLabel(type) {
  return label(`evidence.${type}`, type);
}

/** `attachment.front` or the raw value. */
export function attachmentLabel(type) {
  return label(`attachment.${type}`, type);
}

function groupTitle(g) {
  if (!g.subject) return t('customer.company');
  const role = g.subject.kind === 'applicant' ? t('customer.applicant') : t('customer.coOwner');
  return `${role}: ${g.subject.name}`;
}

/** The checklist card's content; `onView(view)` repaints the detail after an action, `pick(id)`
 * opens the file picker for a requirement (the documents panel's). */
export function checklist(c, onView, pick) {
  return el('div', { id: 'checklist' },
    c.groups.map((g) => el('section', { class: 'kyc-group', dataset: { subject: g.subject?.id ?? 'company', kind: g.subject?.kind ?? 'company' } },
      el('h4', { class: 'kyc-group-title', text: groupTitle(g) }),
      el('ul', { class: 'checklist' }, g.requirements.map((k) => requirement(c, k, onView, pick))))));
}

function requirement(c, k, onView, pick) {
  return el('li', { class: 'kyc-item', dataset: { requirement: k.requirementId, type: k.requirementType, state: k.state, action: k.action } },
    el('div', { class: 'kyc-head' },
      el('strong', { text: k.label }),
      el('span', { class: 'tag', text: k.mandatory ? t('customer.mandatory') : t('customer.optional') }),
      el('span', { class: 'status-badge', dataset: { status: k.state }, text: label(`req.${k.state}`, k.state) })),
    k.attachments.length ? el('p', { class: 'kyc-parts help' },
      `${evidenceLabel(k.evidenceType)}: `,
      k.attachments.map((a, i) => el('span', { class: 'kyc-part', dataset: { part: a.attachmentType, sent: String(a.submitted) },
        text: `${i ? ' · ' : ''}${attachmentLabel(a.attachmentType)} ${a.submitted ? '✓' : '—'}` }))) : null,
    k.state === 'rejected' ? el('p', { class: 'kyc-message', role: 'note' },
      el('span', { class: 'kyc-reason', text: k.reviewReason ?? '' }), ' ', el('span', { class: 'help', text: t('req.whatToDo') })) : null,
    k.action !== 'none' ? el('p', { class: 'kyc-action', text: t(`action.${k.action}`) }) : null,
    k.action === 'upload' ? el('button', { type: 'button', class: 'kyc-choose', text: t('docs.choose'), onclick: () => pick(k.requirementId) }) : null,
    k.action === 'value' ? valueForm(c, k, onView) : null);
}

function valueForm(c, k, onView) {
  const input = el('input', { type: 'email', class: 'kyc-value', id: `value-${k.requirementId}`, autocomplete: 'off', 'aria-label': k.label });
  const error = el('small', { class: 'field-error', 'aria-live': 'polite' });
  const check = async () => {
    const v = await call('validate_field', { field: 'email', value: input.value }).catch(() => null);
    error.textContent = v && !v.valid ? reasonText(v.reason) : '';
    return !v || v.valid;
  };
  input.addEventListener('blur', check);
  const form = el('form', { class: 'kyc-value-form', novalidate: true }, input,
    el('button', { type: 'submit', class: 'kyc-value-send', text: t('customer.valueSend') }), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!(await check())) return;
    try {
      const view = await call('send_kyc_value', { id: c.id, requirementId: k.requirementId, value: input.value });
      toast(t('customer.valueSent'));
      onView(view);
    } catch (err) {
      error.textContent = describe(err);
      toastError(err);
    }
  });
  return form;
}

/** The Submit for review card: what is missing, or the button. */
export function reviewCard(c, onView) {
  const rejected = c.groups.some((g) => g.requirements.some((k) => k.state === 'rejected'));
  const button = el('button', { type: 'button', id: 'submit-review', class: 'primary', disabled: !c.canReview, text: t('customer.review') });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const view = await call('submit_for_review', { id: c.id });
      toast(t('customer.reviewSent'));
      onView(view);
    } catch (err) {
      button.disabled = false;
      toastError(err);
    }
  });
  return el('section', { class: 'card', id: 'review-card' },
    el('h3', { text: t('customer.review') }),
    el('p', { class: 'help', text: rejected ? t('customer.reviewAgain') : t('customer.reviewHelp') }),
    c.missing.length ? el('p', { id: 'review-missing', text: t('customer.reviewMissing', { items: c.missing.join('; ') }) }) : null,
    button);
}
