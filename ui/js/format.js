// Presentation formats that follow the chosen language (pt-BR dates and money by default).
import { language } from './i18n.js';

export function date(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

export function money(value) {
  return new Intl.NumberFormat(language(), { style: 'currency', currency: 'BRL' }).format(value);
}
