// Presentation formats that follow the chosen language (pt-BR dates and money by default).
// One formatter per language and kind, made once: building an Intl formatter is costly, and a
// list of ten thousand rows would otherwise make (and keep) one per date shown.
import { language } from './i18n.js';

const formatters = new Map();

/** The formatter of `kind` for `lang`, made on first use. */
export function formatter(kind, lang = language()) {
  const key = `${kind}:${lang}`;
  if (!formatters.has(key)) {
    formatters.set(key, kind === 'date' ? new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' })
      : kind === 'relative' ? new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
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

/** How long ago `ms` (Unix ms) was, as people say it: "há 3 minutos", "ontem". */
export function ago(ms, now = Date.now()) {
  const seconds = Math.round((ms - now) / 1000);
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return formatter('relative').format(value, unit);
    value = Math.round(value / size);
  }
  return '';
}
