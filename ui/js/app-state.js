// What the whole page shares: the app's info and the drafts' status as Rust last sent them,
// the names of the events Rust emits (the same list as `src-tauri/src/events.rs`, kept equal
// by a test), and the names of the DOM events the shell and the screens talk through.

/** `app_info` (version, language, connection, document types) and `draft_status`. */
export const app = { info: null, drafts: null };

/** Events from Rust (`src-tauri/src/events.rs`). */
export const EVENTS = Object.freeze({
  connectionChanged: 'connection-changed',
  authRequired: 'auth-required',
  customerUpdated: 'customer-updated',
  draftsChanged: 'drafts-changed',
  syncProgress: 'sync-progress',
  filesDropped: 'files-dropped',
});

/** DOM events on `document`, between the shell and the screens (detail in brackets). */
export const DOM = Object.freeze({
  /** A screen is shown ({ name, section, title }). */
  screenShown: 'app:screen-shown',
  /** The drafts' status changed (app.drafts holds it). */
  draftsChanged: 'app:drafts-changed',
  /** A draft was discarded ({ id }). */
  draftDiscarded: 'app:draft-discarded',
  /** A followed customer changed ({ detail, timeline }). */
  customerUpdated: 'app:customer-updated',
  /** The window's native drag-and-drop: over ({ position }), left, dropped ({ files, position }:
   *  the files as Rust keeps them, by token, never their paths). */
  dragOver: 'app:drag-over',
  dragLeave: 'app:drag-leave',
  dragDrop: 'app:drag-drop',
  /** Ctrl+K: the customer search wants the focus. */
  focusSearch: 'app:focus-search',
});

/** Tells whoever listens on `document`. */
export function announce(name, detail = {}) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

/**
 * Listens on `document` until the returned function is called (a screen calls it when it
 * leaves). Synchronous, so a screen that leaves at once leaks nothing.
 */
export function hear(name, handler) {
  const listener = (e) => handler(e.detail);
  document.addEventListener(name, listener);
  return () => document.removeEventListener(name, listener);
}
