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

/**
 * Why something was refused ({ code, vars } from Rust: `reason.<code>` in the dictionaries).
 * A code this version does not know reads as a neutral sentence, never as Rust's English.
 */
export function reasonText(reason) {
  if (!reason) return '';
  return label(`reason.${reason.code}`, t('reason.unknown'), reason.vars ?? {});
}

/**
 * A human sentence for a CommandError: its code's, then its reason's when it has one. A code
 * of the API's that no dictionary has reads as "Dinie refused" (with Dinie's words only in
 * English).
 */
export function describe(err) {
  const base = label(`error.${err.code}`, t('error.unknown', { message: err.message ?? '' }));
  return err.reason ? `${base} ${reasonText(err.reason)}` : base;
}
