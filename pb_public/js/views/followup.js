// The "To follow up" list (SPEC §8, issue 13): the done touches of the
// user's scope with no outcome yet that are at least FOLLOW_UP_AFTER days
// old, and the "not now" touches whose follow-up day has come, newest
// first. Each gets one-tap outcome buttons; the server writes the card
// comment and the hold of the outcome (SPEC §4.8). PocketBase's rules
// scope the list to the user's clients.

import { h, replace } from '../dom.js';
import { t, label, fmtDay, fmtMoment, fmtNumber, parseDate } from '../i18n.js';
import { pb, describeError } from '../api.js';
import { errorBox, loadingBox, badge, busy } from '../ui.js';
import { openCard } from './card.js';

/** A touch without an outcome is listed once it is this many days old. */
export const FOLLOW_UP_AFTER = 3;
/** The default "not now" follow-up, in days from today (the server's default too). */
const NOT_NOW_DAYS = 30;
const PER_PAGE = 20;
const OUTCOMES = ['replied', 'no_reply', 'not_now', 'declined', 'bought', 'referral'];

/** isoDay is a local date as YYYY-MM-DD. */
function isoDay(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function daysFromToday(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return isoDay(d);
}

/** filter selects the touches to follow up as of now. */
function filter() {
  const cutoff = new Date(Date.now() - FOLLOW_UP_AFTER * 24 * 3600 * 1000);
  // a follow-up day is stored as that day at 12:00 UTC
  const today = `${isoDay(new Date())} 23:59:59.999Z`;
  return pb.filter(
    'status = "done" && ((outcome = "" && created <= {:cutoff}) || (outcome = "not_now" && follow_up != "" && follow_up <= {:today}))',
    { cutoff, today });
}

export function mount(root) {
  const view = { disposed: false, limit: PER_PAGE, items: [], total: 0, seq: 0 };
  const status = h('p', { class: 'muted fu-status', 'aria-live': 'polite' });
  const list = h('div', { class: 'fu-body' });
  replace(root, h('section', { class: 'page followup', 'aria-labelledby': 'followup-title' },
    h('h1', { id: 'followup-title' }, t('fu_title')),
    h('p', { class: 'muted lead' }, t('fu_lead', { n: FOLLOW_UP_AFTER })),
    status, list));

  async function load() {
    const seq = ++view.seq;
    if (!view.items.length) replace(list, loadingBox());
    let res;
    try {
      // one page as long as what is shown: items answered meanwhile have left the list
      res = await pb.collection('touches').getList(1, view.limit, {
        filter: filter(), sort: '-created,-id', expand: 'client,occasion,contact',
      });
    } catch (err) {
      if (seq === view.seq && !view.disposed) replace(list, errorBox(err, load));
      return;
    }
    if (seq !== view.seq || view.disposed) return;
    view.items = res.items;
    view.total = res.totalItems;
    render();
  }

  function renderStatus() {
    status.textContent = view.total ? t('fu_count', { n: view.total, shown: fmtNumber(view.items.length), total: fmtNumber(view.total) }) : '';
  }

  function render() {
    renderStatus();
    if (!view.items.length) {
      replace(list, h('p', { class: 'empty' }, t('fu_empty')));
      return;
    }
    replace(list,
      h('ul', { class: 'fu-list' }, view.items.map(item)),
      view.items.length < view.total ? h('p', { class: 'more' }, h('button', {
        type: 'button', class: 'btn', onclick: (e) => busy(e.currentTarget, () => { view.limit += PER_PAGE; return load(); }),
      }, t('loadMore'))) : null);
  }

  /** answered removes a touch from the list after a short confirmation. */
  function answered(li, touch, outcome, followUp) {
    const client = touch.expand?.client?.name || '';
    const text = outcome === 'not_now'
      ? t('fu_savedNotNow', { client, day: fmtDay(followUp) })
      : t('fu_saved', { client, outcome: label('outcome', outcome) });
    replace(li, h('p', { class: 'fu-done', role: 'status' }, '✓ ', text));
    li.classList.add('fu-answered');
    view.items = view.items.filter((x) => x.id !== touch.id);
    view.total = Math.max(0, view.total - 1);
    renderStatus();
    setTimeout(() => {
      if (view.disposed) return;
      li.remove();
      if (!view.items.length) {
        view.limit = PER_PAGE;
        load();
      }
    }, 2500);
  }

  function item(touch) {
    const client = touch.expand?.client;
    const contact = touch.expand?.contact;
    const occasion = touch.expand?.occasion;
    const error = h('p', { class: 'fu-error', role: 'alert' });
    const day = h('input', {
      type: 'date', class: 'fu-day', value: daysFromToday(NOT_NOW_DAYS), min: isoDay(new Date()),
      'aria-label': t('fu_notNowUntil'),
    });
    const li = h('li', { class: 'fu-item', dataset: { touch: touch.id, client: touch.client } });

    async function set(outcome, button) {
      error.textContent = '';
      const body = { outcome, follow_up: '' };
      if (outcome === 'not_now') {
        if (!day.value) {
          error.textContent = t('fu_pickDay');
          day.focus();
          return;
        }
        body.follow_up = day.value;
      }
      try {
        await busy(button, () => pb.collection('touches').update(touch.id, body));
      } catch (err) {
        const d = describeError(err);
        if (!d || view.disposed) return;
        if (d.status === 401) window.dispatchEvent(new CustomEvent('touchbase:session-ended'));
        error.textContent = d.detail ? `${d.title}: ${d.detail}` : d.title;
        return;
      }
      if (!view.disposed) answered(li, touch, outcome, body.follow_up);
    }

    const buttons = OUTCOMES.map((o) => {
      const b = h('button', {
        type: 'button', class: ['btn', 'btn-small', 'fu-outcome', `fu-${o}`], dataset: { outcome: o },
        onclick: () => set(o, b),
      }, label('outcome', o));
      return o === 'not_now'
        ? h('span', { class: 'fu-notnow' }, b, h('label', { class: 'fu-until' }, h('span', {}, t('fu_until')), day))
        : b;
    });

    const created = parseDate(touch.created);
    const age = created ? Math.floor((Date.now() - created.getTime()) / (24 * 3600 * 1000)) : 0;
    const why = touch.outcome === 'not_now'
      ? badge(t('fu_cameBack', { day: fmtDay(touch.follow_up) }), 'fu-why fu-why-back')
      : badge(t('fu_noOutcome', { n: age }), 'fu-why');

    return replace(li,
      h('div', { class: 'fu-head' },
        client
          ? h('button', { type: 'button', class: 'linklike client-name', 'aria-label': t('openCard', { client: client.name }), onclick: () => openCard(client.id) }, client.name)
          : h('span', { class: 'client-name' }, t('err_notFound')),
        why),
      h('p', { class: 'fu-meta' },
        occasion ? h('span', { class: 'fu-occasion' }, occasion.title) : null,
        h('span', { class: 'muted' }, [
          contact?.name,
          touch.channel ? label('channel', touch.channel) : '',
          h('time', { datetime: created?.toISOString() || '' }, fmtMoment(touch.created)),
        ].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x])))),
      touch.comment ? h('p', { class: 'fu-comment' }, touch.comment) : null,
      h('div', { class: 'fu-actions', role: 'group', 'aria-label': t('fu_question') },
        h('span', { class: 'fu-question' }, t('fu_question')),
        buttons),
      error);
  }

  load();
  return {
    update() {
      load();
    },
    unmount() {
      view.disposed = true;
    },
  };
}
