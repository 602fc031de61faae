// One customer: data, lifecycle stepper, KYC checklist with the action each item needs,
// correction of data in `pending_correction`, credit offers, and the timeline of changes.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { date, money } from '../format.js';
import { errorBox, toast, toastError } from '../feedback.js';
import { statusLabel, kycLabel } from '../labels.js';
import { show } from '../router.js';
import { setTitle } from '../chrome.js';
import { DOM, hear } from '../app-state.js';
import { documentsPanel, startDropTarget, stopDropTarget } from '../panels/documents.js';

export const title = 'title.customer';
const STEPS = ['registration', 'documents', 'review', 'active'];
let stopHearing = null;

export function render(root, params = {}) {
  const body = el('div', { id: 'customer-detail', 'aria-live': 'polite' }, el('p', { class: 'loading', text: t('customers.loading') }));
  root.append(el('div', { class: 'toolbar' },
    el('button', { type: 'button', id: 'back-to-list', text: t('customer.back'), onclick: () => show('customers') })), body);
  load(body, params);
  startDropTarget();
  stopHearing = hear(DOM.customerUpdated, (view) => {
    if (view.detail.id === params.id && document.body.contains(body)) paint(body, view);
  });
}

export function leave() {
  stopDropTarget();
  stopHearing?.();
  stopHearing = null;
  call('close_customer').catch(() => {});
}

async function load(body, params) {
  try {
    const view = await call('open_customer', { id: params.id });
    paint(body, view);
    if (params.notice === 'existing') {
      body.prepend(el('p', { class: 'notice', id: 'existing-notice', text: t('register.existingNotice') }));
    }
  } catch (err) {
    clear(body).append(errorBox(err, () => load(body, params)));
  }
}

let lastTimeline = [];

function paint(body, { detail: c, timeline }) {
  // An upload answers with the detail only: keep the timeline until the follower sends one.
  timeline = timeline ?? lastTimeline;
  lastTimeline = timeline;
  setTitle(c.name);
  const notice = body.querySelector('#existing-notice');
  // A refresh from the follower must not lose what the agent is typing in the correction form.
  const typed = [...body.querySelectorAll('#correction-form input:not([readonly])')].map((i) => [i.id, i.value]);
  const focused = document.activeElement?.id;
  clear(body);
  if (notice) body.append(notice);
  body.append(...[
    el('div', { class: 'detail-head' },
      el('h2', { id: 'customer-name', text: c.name }),
      el('span', { class: 'status-badge', id: 'customer-status', dataset: { status: c.status }, text: statusLabel(c.status) })),
    stepper(c.step),
    el('div', { class: 'detail-grid' },
      el('section', { class: 'card' }, el('h3', { text: t('customer.data') }), data(c)),
      el('section', { class: 'card', id: 'checklist-card' }, el('h3', { text: t('customer.checklist') }), checklist(c))),
    c.checklist.some((k) => k.kind === 'document') ? documentsPanel(c, (detail) => paint(body, { detail, timeline: null })) : null,
    c.checklist.some((k) => k.action === 'biometrics') ? biometrics(c) : null,
    c.correctable.length ? correction(c) : null,
    c.offers.length ? offers(c) : null,
    el('section', { class: 'card' }, el('h3', { text: t('customer.timeline') }), timelineList(timeline)),
  ].filter(Boolean));
  for (const [id, value] of typed) {
    const input = body.querySelector(`#${id}`);
    if (input) input.value = value;
  }
  if (focused) body.querySelector(`#${focused}`)?.focus();
}

function stepper(step) {
  return el('ol', { class: 'stepper', id: 'stepper', 'aria-label': t('customer.stepper') },
    STEPS.map((s, i) => el('li', { dataset: { state: i < step ? 'done' : i === step ? 'current' : 'todo' },
      'aria-current': i === step ? 'step' : null, text: t(`step.${s}`) })));
}

function data(c) {
  const rows = [['cpf', c.cpf], ['cnpj', c.cnpj], ['tradingName', c.tradingName], ['email', c.email], ['phone', c.phone], ['externalId', c.externalId], ['created', date(c.createdAt)]];
  return el('dl', {}, rows.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', { text: t(`register.${k}`) }), el('dd', { id: `data-${k}`, text: v })]));
}

function checklist(c) {
  return el('ul', { class: 'checklist', id: 'checklist' }, c.checklist.map((k) => el('li', { class: 'kyc-item', dataset: { type: k.itemType, status: k.status, kind: k.kind } },
    el('div', { class: 'kyc-head' },
      el('strong', { text: k.description ?? k.itemType }),
      el('span', { class: 'status-badge', dataset: { status: k.status }, text: kycLabel(k.status) })),
    k.message ? el('p', { class: 'kyc-message', text: k.message }) : null,
    k.action !== 'none' ? el('p', { class: 'kyc-action', text: t(`action.${k.action}`) }) : null)));
}

function biometrics(c) {
  const result = el('div', { id: 'biometrics-session', 'aria-live': 'polite' });
  const start = async () => {
    clear(result);
    try {
      const s = await call('start_biometrics', { customerId: c.id });
      result.append(
        el('p', { text: t('bio.opened') }),
        el('div', { class: 'qr-row' },
          el('img', { id: 'session-qr', class: 'qr', alt: t('bio.qr'), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qrSvg)}` }),
          el('div', {},
            el('p', { class: 'help', text: t('bio.phone') }),
            el('p', { class: 'mono', id: 'session-link', text: s.sessionUrl }),
            el('p', { id: 'session-expiry', text: t('bio.expires', { date: date(s.expiresAt) }) }),
            el('button', { type: 'button', id: 'copy-session-link', text: t('bio.copy'),
              onclick: async () => { await navigator.clipboard.writeText(s.sessionUrl); toast(t('bio.copied')); } }))));
    } catch (err) {
      if (err.code === 'session_elsewhere') {
        result.append(el('p', { class: 'notice', id: 'session-elsewhere', text: t('bio.elsewhere', { date: err.message ? date(err.message) : '—' }) }));
      } else {
        result.append(errorBox(err, start));
      }
    }
  };
  return el('section', { class: 'card', id: 'biometrics-panel' },
    el('h3', { text: t('bio.title') }),
    el('p', { class: 'help', text: t('bio.help') }),
    el('button', { type: 'button', id: 'start-biometrics', class: 'primary', text: t('bio.start'), onclick: start }),
    result);
}

function correction(c) {
  const form = el('form', { class: 'card', id: 'correction-form', novalidate: true },
    el('h3', { text: t('customer.correct') }),
    el('p', { class: 'help', text: t('customer.correctHelp') }),
    el('div', { class: 'field' }, el('label', { text: t('register.cpf') }), el('input', { value: c.cpf, readonly: true, id: 'fix-cpf' })),
    el('div', { class: 'field' }, el('label', { text: t('register.externalId') }), el('input', { value: c.externalId ?? '', readonly: true, id: 'fix-external' })),
    c.correctable.map((field) => el('div', { class: 'field' },
      el('label', { for: `fix-${field}`, text: t(`register.${field}`) }),
      el('input', { id: `fix-${field}`, name: field, value: c[field] ?? '' }),
      el('small', { class: 'field-error', id: `fix-${field}-error` }))),
    el('button', { type: 'submit', class: 'primary', id: 'fix-submit', text: t('customer.sendCorrection') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const correction = Object.fromEntries(c.correctable.map((f) => [f, form.querySelector(`#fix-${f}`).value]));
    try {
      const view = await call('correct_customer', { id: c.id, correction });
      toast(t('customer.corrected'));
      paint(document.getElementById('customer-detail'), view);
    } catch (err) {
      for (const [field, message] of Object.entries(err.fields ?? {})) {
        const target = form.querySelector(`#fix-${field}-error`);
        if (target) target.textContent = message;
      }
      toastError(err);
    }
  });
  return form;
}

function offers(c) {
  return el('section', { class: 'card', id: 'offers' }, el('h3', { text: t('customer.offers') }),
    c.offers.map((o) => el('div', { class: 'offer', dataset: { id: o.id } },
      el('strong', { class: 'offer-amount', text: money(Number(o.approvedAmount)) }),
      el('span', { text: t('offer.rate', { rate: Number(o.interestRate).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 }) }) }),
      el('span', { text: t('offer.until', { date: date(o.validUntil) }) }),
      el('span', { class: 'status-badge', dataset: { status: o.status }, text: t(`offer.status.${o.status}`) }))));
}

function timelineList(entries) {
  if (!entries.length) return el('p', { class: 'help', id: 'timeline-empty', text: t('customer.timelineEmpty') });
  return el('ol', { class: 'timeline', id: 'timeline' }, [...entries].reverse().map((e) => el('li', { dataset: { event: e.event } },
    el('time', { text: date(e.at) }), ' ',
    el('code', { text: e.event }), ' ',
    el('span', { text: e.item ? `${e.item}: ${kycLabel(e.status)}${e.message ? ` — ${e.message}` : ''}` : t(`event.${e.event}`) }))));
}
