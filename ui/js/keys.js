// The keyboard: the app-wide shortcuts (Ctrl+N, Ctrl+K, Ctrl+B, Esc, `?`), moving through a list with
// the arrows or j/k, and the sheet that lists them all.
import { el } from './dom.js';
import { t } from './i18n.js';
import { announce, DOM } from './app-state.js';
import { show, shown } from './router.js';
import { toggle as toggleSidebar } from './sidebar.js';

/** The shortcuts, as the sheet lists them: keys and what they do (dictionary keys). */
const SHEET = [
  ['Ctrl+N', 'keys.new'],
  ['Ctrl+K', 'keys.search'],
  ['↓ ↑ · j k', 'keys.move'],
  ['Enter', 'keys.open'],
  ['Esc', 'keys.back'],
  ['Ctrl+B', 'keys.sidebar'],
  ['?', 'keys.sheet'],
];

/** Whether the agent is typing (a key there is text, not a shortcut). */
function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** Moves the focus `step` rows through the list the focus is in (or to its first row). */
function moveInList(step) {
  const active = document.activeElement;
  const list = active?.closest?.('[role="table"]') ?? document.querySelector('#screen [role="table"]');
  if (!list) return false;
  const rows = [...list.querySelectorAll('.customer-row[data-id]')];
  if (!rows.length) return false;
  const at = rows.indexOf(active);
  const next = at < 0 ? rows[0] : rows[Math.min(rows.length - 1, Math.max(0, at + step))];
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
  return true;
}

/** Opens the sheet of shortcuts (closed by Esc or its button). */
export function showSheet() {
  if (document.getElementById('shortcuts')) return;
  const dialog = el('dialog', { id: 'shortcuts', class: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
    el('h2', { id: 'shortcuts-title', text: t('keys.title') }),
    el('dl', {}, SHEET.flatMap(([keys, what]) => [el('dt', {}, el('kbd', { text: keys })), el('dd', { text: t(what) })])),
    el('button', { type: 'button', id: 'shortcuts-close', class: 'primary', text: t('keys.close'), onclick: () => dialog.close() }));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('#shortcuts-close').focus();
}

/** The document's keydown handler. */
export function onKey(e) {
  const ctrl = e.ctrlKey || e.metaKey;
  const { name } = shown();
  if (ctrl && e.key.toLowerCase() === 'k') {
    e.preventDefault();
    if (name !== 'customers') show('customers');
    announce(DOM.focusSearch);
  } else if (ctrl && e.key.toLowerCase() === 'b') {
    e.preventDefault();
    toggleSidebar();
  } else if (ctrl && e.key.toLowerCase() === 'n') {
    e.preventDefault();
    show('register');
  } else if (e.key === 'Escape' && !document.querySelector('dialog[open]') && (name === 'register' || name === 'customer')) {
    e.preventDefault();
    show('customers');
  } else if (ctrl || e.altKey || typing(e.target) || document.querySelector('dialog[open]')) {
    // Not a shortcut: text, a chord of the system's, or a dialog's own keys.
  } else if (e.key === '?') {
    e.preventDefault();
    showSheet();
  } else if (['ArrowDown', 'j'].includes(e.key)) {
    if (moveInList(1)) e.preventDefault();
  } else if (['ArrowUp', 'k'].includes(e.key)) {
    if (moveInList(-1)) e.preventDefault();
  }
}
