// The pieces of a row a manager touches a client from, shared by the
// worklist and the Due view: the ready-to-open channel links of a worklist
// item (built by the server, SPEC §6) and copying its message.

import { h } from './dom.js';
import { t, label } from './i18n.js';
import { toast } from './ui.js';

/** The channels a message can be opened in, in the order they are offered (the contact's preferred one first). */
const CHANNELS = ['whatsapp', 'telegram', 'email', 'phone'];

/** copyText writes to the clipboard, falling back to a selected textarea outside secure contexts. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/**
 * channelButtons are the item's channel links (its client's preferred
 * channel first); opened(channel) runs on a click. Telegram cannot be
 * prefilled, so its message is copied for pasting.
 */
export function channelButtons(item, opened) {
  const links = item.links || {};
  const preferred = item.client?.channel;
  const order = [...CHANNELS].sort((a, b) => (b === preferred) - (a === preferred));
  return order.filter((ch) => links[ch]).map((ch) => h('a', {
    class: ['btn', 'btn-channel', `ch-${ch}`, ch === preferred && 'preferred'],
    href: links[ch],
    target: ch === 'whatsapp' || ch === 'telegram' ? '_blank' : null,
    rel: 'noopener noreferrer',
    title: ch === preferred ? `${t('openIn', { channel: label('channel', ch) })} (${t('preferred')})` : t('openIn', { channel: label('channel', ch) }),
    'aria-label': t('openIn', { channel: label('channel', ch) }),
    dataset: { channel: ch },
    onclick: () => {
      opened(ch);
      if (ch === 'telegram' && item.message) {
        copyText(item.message).then((ok) => ok && toast(t('copiedForTelegram'), { kind: 'ok' }));
      }
    },
  }, t(`openInShort_${ch}`)));
}
