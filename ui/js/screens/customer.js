// One customer: data, lifecycle stepper, the KYC checklist by person with the action each
// requirement needs, documents, biometrics, Submit for review, correction of the e-mail and
// phone, bank account, credit offers, and the timeline of changes.
import { call } from '../ipc.js';
import { el, clear } from '../dom.js';
import { t } from '../i18n.js';
import { ago, date, money } from '../format.js';
import { errorBox, toast, toastError } from '../feedback.js';
import { statusLabel, label, reasonText } from '../labels.js';
import { show } from '../router.js';
import { setTitle } from '../chrome.js';
import { app, DOM, hear } from '../app-state.js';
import { documentsPanel, pick, startDropTarget, stopDropTarget } from '../panels/documents.js';
import { checklist, reviewCard } from '../panels/checklist.js';
import { bankCard } from '../panels/bank.js';

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
    if (view.lastSeenAt) {
      // Offline (or Dinie down): what this computer saw last, said to be that.
      body.prepend(el('p', { class: 'notice', id: 'customer-offline', role: 'status' },
        t('customer.lastSeen', { ago: ago(view.lastSeenAt), when: date(view.lastSeenAt) }), ' ',
        el('button', { type: 'button', class: 'link', id: 'customer-retry', text: t('customer.retry'), onclick: () => load(body, params) })));
    }
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
  const typed = [...body.querySelectorAll('#correction-form input:not([readonly]), .kyc-value')].map((i) => [i.id, i.value]);
  const focused = document.activeElement?.id;
  clear(body);
  if (notice) body.append(notice);
  const repaint = (view) => paint(body, view);
  const requirements = c.groups.flatMap((g) => g.requirements);
  const pending = c.status === 'pending_kyc';
  const hasOffers = c.offers.length || c.unreadableOffers;
  // The work first: what to do next, then where it is done (documents, biometrics, review);
  // for an active customer, the offer. The record and its history follow.
  body.append(...[
    el('div', { class: 'detail-head' },
      el('h2', { id: 'customer-name', text: c.name }),
      el('span', { class: 'status-badge', id: 'customer-status', dataset: { status: c.status }, text: statusLabel(c.status) })),
    stepper(c.step),
    stateNotice(c, timeline),
    pending ? nextStep(c) : null,
    c.status === 'active' && hasOffers ? offers(c) : null,
    workGrid([
      pending && requirements.some((k) => k.action === 'upload') ? documentsPanel(c, (detail) => paint(body, { detail, timeline: null })) : null,
      pending && requirements.some((k) => k.action === 'biometrics') ? biometrics(c) : handedOut.has(c.id) ? biometricsDone() : null,
    ]),
    pending ? reviewCard(c, repaint) : null,
    el('div', { class: 'detail-grid' },
      el('section', { class: 'card' }, el('h3', { text: t('customer.data') }), data(c)),
      c.groups.length ? el('section', { class: 'card', id: 'checklist-card' }, el('h3', { text: t('customer.checklist') }), checklist(c, repaint, pick)) : null),
    c.status !== 'creating' ? correction(c) : null,
    c.status !== 'creating' ? bankCard(c, repaint) : null,
    c.status !== 'active' && hasOffers ? offers(c) : null,
    el('section', { class: 'card' }, el('h3', { text: t('customer.timeline') }), timelineList(timeline)),
  ].filter(Boolean));
  for (const [id, value] of typed) {
    const input = body.querySelector(`#${id}`);
    if (input) input.value = value;
  }
  if (focused) body.querySelector(`#${focused}`)?.focus();
}

/** The documents and the biometrics side by side (one column in a narrow window). */
function workGrid(cards) {
  const shown = cards.filter(Boolean);
  return shown.length ? el('div', { class: 'work-grid' }, shown) : null;
}

/**
 * "Próximo passo": what the agent does now for this customer (Rust's `needs`, the worklist's
 * rule), each with its button: send again what Dinie rejected, send what is missing, do the
 * biometrics, submit for review.
 */
function nextStep(c) {
  const labels = (kind) => c.needs.filter((n) => n.kind === kind).map((n) => n.label);
  const [rejected, missing] = [labels('rejected'), labels('missing')];
  const has = (kind) => c.needs.some((n) => n.kind === kind);
  const press = (id) => () => { const b = document.getElementById(id); b?.scrollIntoView({ block: 'center' }); b?.click(); };
  const choose = () => el('button', { type: 'button', id: 'next-choose', class: 'primary', text: t('docs.choose'), onclick: () => pick(null) });
  const steps = [
    rejected.length ? el('li', { dataset: { step: 'rejected' } }, t('next.rejected', { items: rejected.join(', ') }), ' ', choose()) : null,
    missing.length ? el('li', { dataset: { step: 'missing' } }, t('next.missing', { items: missing.join(', ') }), ' ', rejected.length ? null : choose()) : null,
    has('biometrics') ? el('li', { dataset: { step: 'biometrics' } }, t('next.biometrics'), ' ',
      el('button', { type: 'button', id: 'next-bio-here', text: t('bio.here'), onclick: press('bio-here') }), ' ',
      el('button', { type: 'button', id: 'next-bio-phone', text: t('bio.toPhone'), onclick: press('bio-phone') })) : null,
    has('submit') ? el('li', { dataset: { step: 'review' } }, t('next.review'), ' ',
      el('button', { type: 'button', id: 'next-review', class: 'primary', text: t('customer.review'), onclick: press('submit-review') })) : null,
  ].filter(Boolean);
  if (!steps.length) return null;
  return el('section', { class: 'card next-step', id: 'next-step', 'aria-labelledby': 'next-step-title' },
    el('h3', { id: 'next-step-title', text: t('next.title') }), el('ul', {}, steps));
}

function stepper(step) {
  return el('ol', { class: 'stepper', id: 'stepper', 'aria-label': t('customer.stepper') },
    STEPS.map((s, i) => el('li', { dataset: { state: i < step ? 'done' : i === step ? 'current' : 'todo' },
      'aria-current': i === step ? 'step' : null, text: t(`step.${s}`) })));
}

/** What the status means for the agent, when it is not the checklist's to say. */
function stateNotice(c, timeline) {
  if (c.status === 'creating') return el('p', { class: 'notice', id: 'creating-notice', text: t('customer.creating') });
  if (c.status === 'under_review') return el('p', { class: 'notice', id: 'review-notice', text: t('customer.underReview') });
  if (c.status === 'denied') {
    const reason = [...timeline].reverse().find((e) => e.event === 'customer.denied')?.message;
    return el('p', { class: 'notice error', id: 'denied-notice', role: 'alert', text: reason ? `${t('customer.denied')} ${reason}` : t('customer.denied') });
  }
  return null;
}

function data(c) {
  const rows = [['cnpj', c.cnpj], ['name', c.name], ['tradingName', c.tradingName], ['cpfOwner', c.cpf], ['email', c.email], ['phone', c.phone], ['externalId', c.externalId], ['created', date(c.createdAt)]];
  return el('dl', {}, rows.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', { text: label(`detail.${k}`, t(`register.${k}`)) }), el('dd', { id: `data-${k}`, text: v })]));
}

// Customers whose capture link this screen handed out, for "done" once the selfie is in.
const handedOut = new Set();

/** The biometrics card: on this computer (the capture window), or on the borrower's phone. */
function biometrics(c) {
  const result = el('div', { id: 'biometrics-session', 'aria-live': 'polite' });
  const failed = (err, again) => {
    if (err.code === 'session_elsewhere') {
      result.append(el('p', { class: 'notice', id: 'session-elsewhere', text: t('bio.elsewhere', { date: err.message ? date(err.message) : '—' }) }));
    } else {
      result.append(errorBox(err, again));
    }
  };
  const here = async () => {
    clear(result);
    try {
      await call('start_biometrics', { customerId: c.id, here: true });
      result.append(el('p', { id: 'bio-window-open', text: t('bio.opened') }));
    } catch (err) { failed(err, here); }
  };
  const phone = async () => {
    clear(result);
    try {
      const s = await call('start_biometrics', { customerId: c.id, here: false });
      handedOut.add(c.id);
      result.append(phoneSession(c, s, phone));
    } catch (err) { failed(err, phone); }
  };
  return el('section', { class: 'card', id: 'biometrics-panel' },
    el('h3', { text: t('bio.title') }),
    el('p', { class: 'help', text: t('bio.help') }),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'bio-here', class: 'primary', text: t('bio.here'), onclick: here }),
      el('button', { type: 'button', id: 'bio-phone', text: t('bio.toPhone'), onclick: phone })),
    result);
}

/** The session for the phone: QR code, link, copy, e-mail and WhatsApp, and its state. */
function phoneSession(c, s, again) {
  const state = el('p', { id: 'bio-state', class: 'notice', dataset: { state: 'ready' }, text: t('bio.state.ready') });
  const setState = (name, vars = {}) => { state.dataset.state = name; state.textContent = t(`bio.state.${name}`, vars); };
  const share = async (channel) => {
    try {
      const text = t('bio.shareText', { link: s.sessionUrl, date: date(s.expiresAt) });
      await call('share_biometrics', { customerId: c.id, share: { channel, subject: t('bio.shareSubject'), text } });
      setState('sent', { channel: t(`bio.channel.${channel}`), time: date(new Date().toISOString()) });
    } catch (err) {
      if (err.code === 'session_expired') expire();
      else toastError(err);
    }
  };
  const box = el('div', { class: 'qr-row', id: 'bio-phone-session' },
    el('img', { id: 'session-qr', class: 'qr', alt: t('bio.qr'), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qrSvg)}` }),
    el('div', {},
      state,
      el('p', { class: 'help', text: t('bio.phone') }),
      el('p', { class: 'mono', id: 'session-link', text: s.sessionUrl }),
      el('p', { id: 'session-expiry', text: t('bio.expires', { date: date(s.expiresAt) }) }),
      app.info?.connection?.kind === 'embedded' ? el('p', { class: 'help', id: 'bio-local-only', text: t('bio.localOnly') }) : null,
      el('div', { class: 'actions' },
        el('button', { type: 'button', id: 'copy-session-link', text: t('bio.copy'),
          onclick: async () => { await navigator.clipboard.writeText(s.sessionUrl); toast(t('bio.copied')); } }),
        el('button', { type: 'button', id: 'bio-email', text: t('bio.email'), onclick: () => share('email') }),
        el('button', { type: 'button', id: 'bio-whatsapp', text: t('bio.whatsapp'), onclick: () => share('whatsapp') }))));
  // When the link stops working, say so and offer a new one.
  const expire = () => {
    if (!box.isConnected) return;
    setState('expired');
    box.querySelector('.actions').replaceChildren(el('button', { type: 'button', id: 'bio-again', class: 'primary', text: t('bio.again'), onclick: again }));
  };
  const left = Date.parse(s.expiresAt) - Date.now();
  if (left <= 0) expire(); else setTimeout(expire, Math.min(left, 2 ** 31 - 1));
  return box;
}

/** After a phone capture: the selfie is in. */
function biometricsDone() {
  return el('section', { class: 'card', id: 'biometrics-panel' },
    el('h3', { text: t('bio.title') }),
    el('p', { id: 'bio-state', class: 'notice', dataset: { state: 'done' }, text: t('bio.state.done') }));
}

const CORRECTABLE = ['email', 'phone'];

function correction(c) {
  const readonly = [['cpfOwner', c.cpf], ['cnpj', c.cnpj], ['externalId', c.externalId ?? '']];
  const form = el('form', { class: 'card', id: 'correction-form', novalidate: true },
    el('h3', { text: t('customer.correct') }),
    el('p', { class: 'help', text: t('customer.correctHelp') }),
    readonly.map(([k, v]) => el('div', { class: 'field' }, el('label', { for: `fix-${k}`, text: t(`register.${k}`) }),
      el('input', { value: v ?? '', readonly: true, id: `fix-${k}`, title: t('customer.readonly') }))),
    CORRECTABLE.map((field) => el('div', { class: 'field' },
      el('label', { for: `fix-${field}`, text: t(`register.${field}`) }),
      el('input', { id: `fix-${field}`, name: field, value: c[field] ?? '' }),
      el('small', { class: 'field-error', id: `fix-${field}-error` }))),
    el('button', { type: 'submit', class: 'primary', id: 'fix-submit', text: t('customer.sendCorrection') }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const correction = Object.fromEntries(CORRECTABLE.map((f) => [f, form.querySelector(`#fix-${f}`).value]));
    try {
      const view = await call('correct_customer', { id: c.id, correction });
      // Sent: the fields show Dinie's values now (formatted), not what was typed.
      for (const f of CORRECTABLE) form.querySelector(`#fix-${f}`).value = view.detail[f] ?? '';
      toast(t('customer.corrected'));
      paint(document.getElementById('customer-detail'), view);
    } catch (err) {
      for (const [field, reason] of Object.entries(err.fields ?? {})) {
        const target = form.querySelector(`#fix-${field}-error`);
        if (target) target.textContent = reasonText(reason);
      }
      toastError(err);
    }
  });
  return form;
}

function installments(i) {
  if (i.kind === 'fixed') return t('offer.installments', { count: i.count });
  if (i.kind === 'range') return t('offer.range', { min: i.min, max: i.max });
  return null;
}

function offers(c) {
  const rate = (r) => Number(r).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });
  return el('section', { class: 'card', id: 'offers' }, el('h3', { text: t('customer.offers') }),
    // The amount and its state on one line, the terms below (they wrap on a narrow window,
    // the state never does).
    c.offers.map((o) => el('div', { class: 'offer', dataset: { id: o.id, installments: o.installments.kind } },
      el('div', { class: 'offer-head' },
        el('strong', { class: 'offer-amount', text: money(Number(o.approvedAmount)) }),
        el('span', { class: 'status-badge', dataset: { status: o.status }, text: label(`offer.status.${o.status}`, o.status) })),
      el('div', { class: 'offer-terms' },
        o.minAmount ? el('span', { text: t('offer.minimum', { amount: money(Number(o.minAmount)) }) }) : null,
        el('span', { class: 'offer-rate', text: t('offer.rate', { rate: rate(o.monthlyRate) }) }),
        el('span', { class: 'offer-installments', text: installments(o.installments) }),
        el('span', { text: t('offer.until', { date: date(o.validUntil) }) })))),
    c.unreadableOffers ? el('p', { class: 'help', id: 'offers-unreadable', text: t('customer.offersUnreadable', { count: c.unreadableOffers }) }) : null);
}

/** A timeline line for people: "CNH aprovada", "Selfie enviada" (the event's code is a tooltip). */
function timelineText(e) {
  if (!e.item) return label(`event.${e.event}`, e.event);
  const what = e.kind ? label(`evidence.${e.kind}`, e.item) : e.item;
  const gender = e.kind ? label(`evidence.${e.kind}.gender`, 'm') : 'm';
  const outcome = label(`timeline.${e.status}.${gender}`, label(`req.${e.status}`, e.status ?? ''));
  return `${what} ${outcome}${e.message ? ` — ${e.message}` : ''}`;
}

function timelineList(entries) {
  if (!entries.length) return el('p', { class: 'help', id: 'timeline-empty', text: t('customer.timelineEmpty') });
  return el('ol', { class: 'timeline', id: 'timeline' }, [...entries].reverse().map((e) =>
    el('li', { dataset: { event: e.event, kind: e.kind ?? '', status: e.status ?? '' }, title: e.event },
      el('time', { datetime: e.at, text: `${date(e.at)} · ${ago(Date.parse(e.at))}` }), ' ',
      el('span', { class: 'timeline-text', text: timelineText(e) }))));
}
