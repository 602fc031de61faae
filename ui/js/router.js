// The router: screens register with it by name, and `show(name, params)` leaves the screen on
// display and renders the next one. It knows screens only through what they registered, so
// screens never import each other: they call `show('customer', { id })`.
import { clear } from './dom.js';
import { announce, DOM } from './app-state.js';

const screens = new Map();
const current = { name: null, params: {} };

/**
 * Registers a screen module ({ title, render(root, params), leave?() }) under `name` (`title`
 * is a dictionary key, or a function of the parameters that gives one);
 * `section` is the sidebar entry it belongs to (its own name by default).
 */
export function register(name, screen, { section = name } = {}) {
  screens.set(name, { screen, section });
}

/** Shows a screen (with parameters, e.g. `{ id }` for a customer); unknown names show the first. */
export function show(name, params = {}) {
  screens.get(current.name)?.screen.leave?.();
  const target = screens.has(name) ? name : screens.keys().next().value;
  current.name = target;
  current.params = params;
  const { screen, section } = screens.get(target);
  // The shell's chrome (sidebar, title) follows what is shown.
  const title = typeof screen.title === 'function' ? screen.title(params) : screen.title;
  announce(DOM.screenShown, { name: target, section, title });
  screen.render(clear(document.getElementById('screen')), params);
}

/** The screen on display and its parameters. */
export function shown() {
  return { ...current };
}

/** Renders the screen on display again (after a language change). */
export function refresh() {
  show(current.name, current.params);
}
