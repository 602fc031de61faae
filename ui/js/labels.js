// Labels for values that come from Rust or the API: the dictionary's text when it has one,
// else the raw value (a status or code this version does not know yet is still shown).
import { t } from './i18n.js';

/** The text of `key`, or `raw` when the dictionary has none. */
export function label(key, raw, vars = {}) {
  const text = t(key, vars);
  return text === key ? raw : text;
}

/** A customer's status. */
export function statusLabel(status) {
  return label(`status.${status}`, status);
}

/** A human sentence for a CommandError: the dictionary's, or the message from Rust. */
export function describe(err) {
  return label(`error.${err.code}`, err.message);
}
