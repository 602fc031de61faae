// Translation: one dictionary per language, `t(key, vars)`, and `data-i18n` elements.
import ptBR from '../i18n/pt-BR.js';
import en from '../i18n/en.js';

const dictionaries = { 'pt-BR': ptBR, en };
let current = 'pt-BR';

export const languages = [
  { code: 'pt-BR', name: 'Português (Brasil)' },
  { code: 'en', name: 'English' },
];

export function setLanguage(code) {
  current = dictionaries[code] ? code : 'pt-BR';
  document.documentElement.lang = current;
  translate(document);
}

export function language() {
  return current;
}

/**
 * The text for `key`, with `{name}` placeholders filled from `vars`, and `{name:one|many}`
 * choosing the word for the number `vars[name]` ("1 cliente", "0 clientes", "3 clientes").
 */
export function t(key, vars = {}) {
  const text = dictionaries[current][key] ?? dictionaries['pt-BR'][key] ?? key;
  return text
    .replace(/\{(\w+):([^|}]*)\|([^}]*)\}/g, (_, name, one, many) => (Number(vars[name]) === 1 ? one : many))
    .replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** Fills every `[data-i18n]` (text) and `[data-i18n-aria]` (aria-label) below `root`. */
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}
