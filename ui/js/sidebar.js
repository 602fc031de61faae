// The sidebar folds to its icons: by itself in a narrow window (1024 px), or when the agent
// chooses (the button at its foot, Ctrl+B), and the choice is kept on this computer. Folded,
// each entry keeps its name as a tooltip and for screen readers.
import { t } from './i18n.js';

/** Where the agent's choice is kept: a layout preference, nothing about anyone. */
const CHOICE = 'dinie-desk.sidebar';
/** Below this width the sidebar is folded unless the agent unfolded it. */
const NARROW = '(max-width: 1100px)';

function choice() {
  try {
    return localStorage.getItem(CHOICE);
  } catch {
    return null;
  }
}

/** Whether the sidebar shows only its icons now. */
export function folded() {
  const chosen = choice();
  return chosen ? chosen === 'folded' : window.matchMedia(NARROW).matches;
}

/** Folds or unfolds the sidebar, and keeps that as the agent's choice. */
export function toggle() {
  try {
    localStorage.setItem(CHOICE, folded() ? 'unfolded' : 'folded');
  } catch {
    // No storage: the choice holds until the app closes.
  }
  render();
}

/** Shows the sidebar as it should be, in the current language. */
export function render() {
  const shell = document.querySelector('.shell');
  const isFolded = folded();
  shell.dataset.sidebar = isFolded ? 'folded' : 'unfolded';
  const button = document.getElementById('sidebar-toggle');
  button.setAttribute('aria-expanded', String(!isFolded));
  const label = t(isFolded ? 'nav.unfold' : 'nav.fold');
  button.setAttribute('aria-label', label);
  button.title = `${label} (Ctrl+B)`;
  for (const link of document.querySelectorAll('.sidebar [data-screen]')) {
    link.title = isFolded ? link.querySelector('.nav-label').textContent : '';
  }
}

/** Wires the button and follows the window's width. */
export function start() {
  document.getElementById('sidebar-toggle').addEventListener('click', toggle);
  window.matchMedia(NARROW).addEventListener('change', render);
  render();
}
