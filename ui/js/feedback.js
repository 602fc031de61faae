// Toasts and error boxes: every error says what happened, what to do, and its request id.
import { el } from './dom.js';
import { t } from './i18n.js';
import { describe } from './labels.js';
import { DOM, hear } from './app-state.js';

/** At most this many toasts at once: a batch of uploads must not wall off the screen. */
const MAX_TOASTS = 2;
/** A toast younger than this announces the screen being shown (its "saved, opening it"). */
const CARRIED_MS = 1000;

// A toast belongs to its screen: leaving the screen takes the older ones away.
hear(DOM.screenShown, () => {
  const now = Date.now();
  for (const node of document.querySelectorAll('#toasts .toast')) {
    if (now - Number(node.dataset.at) > CARRIED_MS) node.remove();
  }
});

export function toast(message, kind = 'info') {
  const node = el('div', { class: 'toast', dataset: { kind, at: String(Date.now()) }, text: message });
  const stack = document.getElementById('toasts');
  stack.append(node);
  while (stack.children.length > MAX_TOASTS) stack.firstElementChild.remove();
  setTimeout(() => node.remove(), 5000);
}

/** A toast for a failed command: the sentence and, when there is one, the request id. */
export function toastError(err) {
  toast(err.requestId ? `${describe(err)} (${t('error.requestId')}: ${err.requestId})` : describe(err), 'error');
}

/** An error panel with the request id, a copy button and an optional retry. */
export function errorBox(err, retry) {
  const box = el('div', { class: 'error-box', role: 'alert', id: 'error-box' },
    el('h2', { text: t('error.title') }),
    el('p', { class: 'error-message', text: describe(err) }));
  if (err.requestId) {
    box.append(el('p', { class: 'request-id' },
      `${t('error.requestId')}: `, el('span', { id: 'error-request-id', text: err.requestId }), ' ',
      el('button', {
        type: 'button', text: t('error.copy'),
        onclick: async () => { await navigator.clipboard.writeText(err.requestId); toast(t('error.copied')); },
      })));
  }
  if (retry) box.append(el('button', { type: 'button', class: 'primary', text: t('error.retry'), onclick: retry }));
  return box;
}
