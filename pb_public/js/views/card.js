// The client card: details, the timeline (touches, comments, tickets,
// holds, newest first) and a form to add a comment. It opens in a dialog
// over the worklist or the Due view, and as a page at #/client?id=…

import { h, replace } from '../dom.js';
import { t, label, fmtDay, fmtMoment } from '../i18n.js';
import { pb, api, addComment, TOUCHES_TOPIC, COMMENTS_TOPIC } from '../api.js';
import { toast, fail, errorBox, loadingBox, badge, busy, counter } from '../ui.js';
import { renderPeople } from './people.js';
import { markActions } from '../marks.js';

let dialog = null;
let current = null; // the mounted card {dispose}
let closeHandler = null;

export function isOpen() {
  return Boolean(dialog?.open);
}

/** close closes the dialog card, if open. */
export function close() {
  if (dialog?.open) dialog.close();
}

/** openCard shows a client's card in a modal dialog; onClose runs when it closes. */
export function openCard(clientId, { onClose } = {}) {
  dialog ??= document.getElementById('card');
  if (!dialog.dataset.bound) {
    dialog.dataset.bound = '1';
    dialog.addEventListener('close', () => {
      current?.dispose();
      current = null;
      replace(dialog);
      const fn = closeHandler;
      closeHandler = null;
      fn?.();
    });
    // a click on the backdrop closes the dialog
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog) dialog.close();
    });
  }
  current?.dispose();
  closeHandler = onClose || null;
  const body = h('div', { class: 'card-body' });
  replace(dialog,
    h('div', { class: 'dialog-top' },
      h('span', { class: 'muted' }, t('cardTitle')),
      h('button', { type: 'button', class: 'btn btn-quiet dialog-close', 'aria-label': t('close'), onclick: () => dialog.close() }, '✕')),
    body);
  dialog.setAttribute('aria-labelledby', 'card-title');
  if (!dialog.open) dialog.showModal();
  current = renderCard(body, clientId);
}

/** mount shows the card as a page (#/client?id=…). */
export function mount(root, { params }) {
  const body = h('div', { class: 'card-page card-body' });
  replace(root, h('p', {}, h('a', { href: '#/worklist' }, `← ${t('nav_worklist')}`)), body);
  const card = renderCard(body, params.get('id') || '');
  return { unmount: () => card.dispose() };
}

function renderCard(root, clientId) {
  let disposed = false;
  let unsubs = [];
  let data = null;
  const timeline = h('div', { class: 'timeline-wrap' });

  async function load({ quiet = false } = {}) {
    if (!quiet) replace(root, loadingBox());
    try {
      data = await api.timeline(clientId);
    } catch (err) {
      if (!disposed) replace(root, errorBox(err, () => load()));
      return;
    }
    if (disposed) return;
    if (quiet && root.querySelector('.card-details')) {
      replace(timeline, renderTimeline(data.items || [], changed));
      return;
    }
    render();
  }

  function render() {
    const c = data.client;
    const problem = h('span', { class: 'field-error', role: 'alert', dataset: { field: 'text' } });
    const text = h('textarea', { id: 'card-comment', name: 'text', rows: '3', maxlength: '5000', required: true, oninput: () => { problem.textContent = ''; } });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('post'));
    const form = h('form', {
      class: 'add-comment',
      onsubmit: async (e) => {
        e.preventDefault();
        const value = text.value.trim();
        if (!value) {
          problem.textContent = t('commentEmpty'); // a blank comment says why nothing happened
          text.focus();
          return;
        }
        await busy(submit, async () => {
          try {
            await addComment(c.id, value);
            text.value = '';
            toast(t('commentSaved'), { kind: 'ok' });
            await load({ quiet: true });
          } catch (err) {
            const d = fail(err);
            if (d?.detail) problem.textContent = d.detail;
          }
        });
      },
    },
    h('label', { class: 'field', for: 'card-comment' }, h('span', { class: 'field-label' }, t('addComment')), text),
    counter(text, 5000), problem,
    submit);

    replace(timeline, renderTimeline(data.items || [], changed));
    const people = h('div', { class: 'card-people', 'aria-labelledby': 'card-people-title' });
    renderPeople(people, c.id);
    replace(root,
      h('header', { class: 'card-head' },
        h('h2', { id: 'card-title' }, c.name),
        h('p', { class: 'badges' },
          badge(c.segment, `seg seg-${(c.segment || '').replace('+', 'plus')}`, t('segment')),
          badge(label('stage', c.stage), 'stage', t('stage')),
          (Array.isArray(c.tags) ? c.tags : []).map((tag) => badge(tag, 'tag')))),
      h('div', { class: 'card-grid' },
        h('section', { class: 'card-details', 'aria-labelledby': 'card-details-title' },
          h('h3', { id: 'card-details-title' }, t('details')),
          details(c),
          h('h3', { id: 'card-people-title' }, t('people')),
          people),
        h('section', { class: 'card-timeline', 'aria-labelledby': 'card-timeline-title' },
          h('h3', { id: 'card-timeline-title' }, t('timeline')),
          form,
          timeline)));
  }

  function details(c) {
    // the people and their handles are in the People section below
    const rows = [
      [t('point'), c.pointName],
      [t('manager'), c.managerName],
      [t('since'), fmtDay(c.since)],
      [t('notes'), c.notes],
    ].filter(([, v]) => v);
    return h('dl', { class: 'details' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  // a mark changed from the card (outcome, status): the card reloads
  const changed = () => !disposed && load({ quiet: true });

  // realtime: a colleague's mark or comment on this client appears at once
  const refresh = (e) => {
    if (!disposed && e.record?.client === clientId && data) load({ quiet: true });
  };
  Promise.all([
    pb.realtime.subscribe(COMMENTS_TOPIC, refresh),
    pb.realtime.subscribe(TOUCHES_TOPIC, refresh),
  ]).then((fns) => {
    unsubs = fns;
    if (disposed) fns.forEach((u) => u().catch(() => {}));
  }).catch(() => {});

  load();
  return {
    dispose() {
      disposed = true;
      unsubs.forEach((u) => u().catch(() => {}));
    },
  };
}

/**
 * renderTimeline lists the card's history. A touch and the comment the
 * server wrote for it are one event, so such comments are folded into
 * their touch.
 */
function renderTimeline(items, changed) {
  const touchIds = new Set(items.filter((i) => i.type === 'touch').map((i) => i.id));
  const shown = items.filter((i) => !(i.type === 'comment' && i.kind === 'touch' && touchIds.has(i.touch)));
  if (!shown.length) return h('p', { class: 'muted' }, t('noTimeline'));
  return h('ol', { class: 'timeline' }, shown.map((i) => h('li', { class: ['tl', `tl-${i.type}`, i.status && `tl-${i.status}`], dataset: { type: i.type } },
    h('div', { class: 'tl-head' },
      badge(t(`tl_${i.type}`), `tl-kind tl-kind-${i.type}`),
      h('time', { datetime: String(i.at || '').replace(' ', 'T') }, fmtMoment(i.at)),
      i.authorName ? h('span', { class: 'muted' }, t('by', { name: i.authorName })) : i.type === 'comment' && i.kind === 'system' ? h('span', { class: 'muted' }, t('system')) : null),
    h('div', { class: 'tl-text' }, timelineText(i)),
    i.type === 'touch' && i.status !== 'withdrawn'
      ? markActions({ id: i.id, status: i.status, outcome: i.outcome, author: i.author, created: i.at }, changed) : null)));
}

function timelineText(i) {
  switch (i.type) {
    case 'touch':
      return [
        h('strong', {}, `${t(`state_${i.status}`)}${i.occasionTitle ? ` · ${i.occasionTitle}` : ''}`),
        i.channel ? h('span', { class: 'muted' }, ` · ${label('channel', i.channel)}`) : null,
        i.outcome ? h('span', {}, ` · ${label('outcome', i.outcome)}${i.follow_up ? ` → ${fmtDay(i.follow_up)}` : ''}`) : null,
        i.comment ? h('p', { class: 'tl-comment' }, i.comment) : null,
      ];
    case 'comment':
      return h('p', { class: 'tl-comment' }, i.text);
    case 'ticket':
      return [h('strong', {}, i.title), h('span', { class: 'muted' }, ` · ${t(`ticket_${i.event === 'resolved' ? 'resolved' : 'open'}`)}`)];
    case 'event':
      return [
        h('strong', {}, label('eventKind', i.kind)),
        h('span', { class: 'muted' }, ` · ${fmtDay(i.date)}`),
        i.occasionTitle ? h('span', {}, ` · ${i.occasionTitle}`) : null,
        i.note ? h('p', { class: 'tl-comment' }, i.note) : null,
      ];
    case 'hold':
      return [
        h('strong', {}, label('reason', i.reason)),
        i.occasionTitle ? h('span', {}, ` · ${i.occasionTitle}`) : null,
        h('span', { class: 'muted' }, ` · ${i.until ? t('holdUntil', { date: fmtDay(i.until) }) : t('holdUntilLifted')}`),
        i.note ? h('p', { class: 'tl-comment' }, i.note) : null,
      ];
    default:
      return JSON.stringify(i);
  }
}
