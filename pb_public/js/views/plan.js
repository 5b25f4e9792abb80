// The Plan view: occurrences of occasions for the next six months, grouped
// by week, each with how many clients it targets and how many are touched.

import { h, replace } from '../dom.js';
import { t, label, fmtDay, fmtNumber } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, loadingBox, badge, bar } from '../ui.js';

const DAY = 24 * 3600 * 1000;

/** isoWeek returns the ISO week number and the Monday of a UTC date. */
function isoWeek(ms) {
  const d = new Date(ms);
  const monday = ms - ((d.getUTCDay() + 6) % 7) * DAY;
  const thursday = new Date(monday + 3 * DAY);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return { n: Math.floor((thursday.getTime() - yearStart) / (7 * DAY)) + 1, monday };
}

const utc = (date) => Date.parse(`${date}T00:00:00Z`);

export function mount(root) {
  let disposed = false;
  const body = h('div', { class: 'plan-body' });
  replace(root, h('section', { class: 'page plan', 'aria-labelledby': 'plan-title' },
    h('h1', { id: 'plan-title' }, t('planTitle')),
    h('p', { class: 'muted lead' }, t('planLead')),
    body));

  async function load() {
    replace(body, loadingBox());
    let res;
    try {
      res = await api.plan({});
    } catch (err) {
      if (!disposed) replace(body, errorBox(err, load));
      return;
    }
    if (disposed) return;
    const items = res.items || [];
    if (!items.length) {
      replace(body, h('p', { class: 'empty' }, t('nothingPlanned')));
      return;
    }
    const today = res.from;
    const weeks = new Map();
    for (const item of items) {
      const { n, monday } = isoWeek(utc(item.date));
      if (!weeks.has(monday)) weeks.set(monday, { n, monday, items: [] });
      weeks.get(monday).items.push(item);
    }
    replace(body, [...weeks.values()].map((w) => {
      const range = `${fmtDay(new Date(w.monday).toISOString(), { day: 'numeric', month: 'short' })} – ${fmtDay(new Date(w.monday + 6 * DAY).toISOString(), { day: 'numeric', month: 'short', year: 'numeric' })}`;
      const id = `week-${w.monday}`;
      return h('section', { class: 'week', 'aria-labelledby': id },
        h('h2', { id, class: 'week-title' }, t('week', { n: w.n, range })),
        h('ul', { class: 'plan-items' }, w.items.map((item) => planItem(item, today))));
    }));
  }

  function planItem(item, today) {
    const o = item.occasion;
    const activeNow = (!item.from || item.from <= today) && (!item.to || today <= item.to);
    const personal = o.trigger === 'birthday' || o.trigger === 'anniversary';
    const names = personal && item.clients?.length
      ? h('p', { class: 'plan-clients small' }, item.clients.map((c) => (c.years ? `${c.name} (${c.years})` : c.name)).join(', '),
        item.targeted > item.clients.length ? ` +${fmtNumber(item.targeted - item.clients.length)}` : '')
      : null;
    return h('li', { class: ['plan-item', `kind-${o.kind}`], dataset: { occasion: o.id } },
      h('div', { class: 'plan-date' },
        h('time', { datetime: item.date }, fmtDay(item.date, { weekday: 'short', day: 'numeric', month: 'short' }))),
      h('div', { class: 'plan-main' },
        h('div', { class: 'plan-title' }, o.title),
        h('div', { class: 'occ-meta' },
          badge(label('kind', o.kind), `kind kind-${o.kind}`),
          o.category ? badge(label('category', o.category), 'cat') : null,
          personal ? h('span', { class: 'muted small' }, label('trigger', o.trigger)) : null,
          !personal && item.from && item.to ? h('span', { class: 'muted small' }, t('window', { from: fmtDay(item.from, { day: 'numeric', month: 'short' }), to: fmtDay(item.to, { day: 'numeric', month: 'short' }) })) : null),
        names),
      h('div', { class: 'plan-cover' },
        bar(item.touched || 0, item.targeted || 0),
        activeNow ? h('a', { class: 'small', href: `#/worklist?occasion=${encodeURIComponent(o.id)}` }, t('openWorklist')) : null));
  }

  load();
  return { unmount: () => (disposed = true) };
}
