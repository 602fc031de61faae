// An in-page confirmation dialog (native dialogs are not styled or translated).
import { el } from './dom.js';
import { t } from './i18n.js';

/** Resolves true when the agent confirms, false otherwise (Esc included). */
export function confirmDialog(message, { danger = false } = {}) {
  return new Promise((resolve) => {
    const dialog = el('dialog', { id: 'confirm-dialog', class: 'confirm', 'aria-labelledby': 'confirm-message' },
      el('p', { id: 'confirm-message', text: message }),
      el('div', { class: 'actions' },
        el('button', { type: 'button', id: 'confirm-no', text: t('confirm.no'), onclick: () => close(false) }),
        el('button', { type: 'button', id: 'confirm-yes', class: danger ? 'danger' : 'primary', text: t('confirm.yes'), onclick: () => close(true) })));
    function close(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('#confirm-no').focus();
  });
}
