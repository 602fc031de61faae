// Drafts: registrations kept offline (filled in by the offline-drafts work).
import { el } from '../dom.js';
import { t } from '../i18n.js';

export const title = 'title.drafts';

export function render(root) {
  root.append(el('div', { class: 'empty', id: 'drafts-empty' },
    el('h2', { text: t('drafts.empty.title') }),
    el('p', { text: t('drafts.empty.body') })));
}
