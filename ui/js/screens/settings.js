// Settings: language, and what the app is connected to.
import { call } from '../ipc.js';
import { el } from '../dom.js';
import { t, languages, language, setLanguage } from '../i18n.js';
import { toast, toastError } from '../feedback.js';
import { app } from '../app-state.js';
import { refresh } from '../chrome.js';
import { connectionsPanel } from '../panels/connections.js';

export const title = 'title.settings';

export function render(root) {
  const select = el('select', { id: 'language-select', 'aria-labelledby': 'language-label' },
    languages.map((l) => el('option', { value: l.code, text: l.name, selected: l.code === language() })));
  select.addEventListener('change', async () => {
    try {
      await call('set_language', { language: select.value });
      setLanguage(select.value);
      refresh();
      toast(t('settings.saved'));
    } catch (err) {
      toastError(err);
    }
  });
  const conn = app.info.connection;
  root.append(connectionsPanel());
  root.append(
    el('section', { class: 'card' },
      el('div', { class: 'field' }, el('label', { id: 'language-label', for: 'language-select', text: t('settings.language') }), select),
      el('p', { class: 'request-id', text: t('settings.theme') })),
    el('section', { class: 'card' },
      el('h2', { text: t('settings.connection') }),
      el('dl', {},
        el('dt', { text: t('settings.kind') }), el('dd', { id: 'settings-kind', text: conn.kind === 'embedded' ? t('connection.embedded') : `${conn.profileName} · ${t(`connection.${conn.kind}`)}` }),
        el('dt', { text: t('settings.host') }), el('dd', { class: 'mono', id: 'settings-host', text: conn.host }),
        el('dt', { text: t('settings.environment') }), el('dd', { text: conn.environment ?? '—' }))),
    el('section', { class: 'card' },
      el('h2', { text: t('settings.about') }),
      el('dl', {}, el('dt', { text: t('settings.version') }), el('dd', { text: app.info.version }))));
}
