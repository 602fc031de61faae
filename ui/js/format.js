// Presentation formats that follow the chosen language (pt-BR dates and money by default).
// One formatter per language and kind, made once: building an Intl formatter is costly, and a
// list of ten thousand rows would otherwise make (and keep) one per date shown.
import { language } from './i18n.js';

const formatters = new Map();

/** The formatter of `kind` for `lang`, made on first use. */
export function formatter(kind, lang = language()) {
  const key = `${kind}:${lang}`;
  if (!formatters.has(key)) {
    formatters.set(key, kind === 'date'
      ? new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' })
      : new Intl.NumberFormat(lang, { style: 'currency', currency: 'BRL' }));
  }
  return formatters.get(key);
}

export function date(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter('date').format(d);
}

export function money(value) {
  return formatter('money').format(value);
}
