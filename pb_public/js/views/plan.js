// The Plan view: occurrences of occasions for the next six months, as one
// section per month with a jump bar, grouped by day (birthdays,
// anniversaries and event follow-ups of a day together), today marked;
// each with how many clients it targets and how many are touched.

import { h, replace } from '../dom.js';
import { t, label, fmtDay, fmtNumber } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, loadingBox, badge, bar } from '../ui.js';

/** monthOf is "YYYY-MM" of a "YYYY-MM-DD" date. */
const monthOf = (date) => date.slice(0, 7);
/** monthName is "December 2026" for "2026-12" in the page's language. */
const monthName = (month, opts = { month: 'long', year: 'numeric' }) => {
  const name = fmtDay(`${month}-01`, opts);
  return name.charAt(0).toUpperCase() + name.slice(1); // «ноябрь 2026 г.» heads a section
};

export function mount(root) {
  let disposed = false;
  const jump = h('nav', { class: 'plan-jump', 'aria-label': t('planJump') });
  const body = h('div', { class: 'plan-body' });
  replace(root, h('section', { class: 'page plan', 'aria-labelledby': 'plan-title' },
    h('h1', { id: 'plan-title' }, t('planTitle')),
    h('p', { class: 'muted lead' }, t('planLead')),
    jump, body));

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
      replace(jump);
      replace(body, h('p', { class: 'empty' }, t('nothingPlanned')));
      return;
    }
    const today = res.from;
    // months → days → items; today has its day even when nothing is planned
    const months = new Map();
    const dayOf = (date) => {
      const m = monthOf(date);
      if (!months.has(m)) months.set(m, new Map());
      const days = months.get(m);
      if (!days.has(date)) days.set(date, []);
      return days.get(date);
    };
    dayOf(today);
    for (const item of items) dayOf(item.date).push(item);
    const ordered = [...months.keys()].sort();

    replace(jump, h('ul', {}, ordered.map((m) => h('li', {}, h('button', {
      type: 'button', class: ['btn', 'btn-small', m === monthOf(today) && 'btn-current'], dataset: { month: m },
      onclick: () => document.getElementById(`month-${m}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' }),
    }, monthName(m, { month: 'short', year: m.slice(0, 4) === today.slice(0, 4) ? undefined : '2-digit' }))))));
    replace(body, ordered.map((m) => {
      const days = [...months.get(m).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      const count = days.reduce((n, [, list]) => n + list.length, 0);
      return h('section', { class: 'plan-month', id: `month-${m}`, 'aria-labelledby': `month-${m}-title`, tabindex: '-1' },
        h('h2', { id: `month-${m}-title`, class: 'month-title' }, monthName(m), h('span', { class: 'muted small' }, ` · ${t('planCount', { n: count })}`)),
        h('ol', { class: 'plan-days' }, days.map(([date, list]) => h('li', { class: ['plan-day', date === today && 'plan-today'], dataset: { date } },
          h('h3', { class: 'plan-day-title' },
            h('time', { datetime: date }, fmtDay(date, { weekday: 'short', day: 'numeric', month: 'short' })),
            date === today ? badge(t('today'), 'today') : null),
          list.length ? h('ul', { class: 'plan-items' }, list.map((item) => planItem(item, today)))
            : h('p', { class: 'muted small' }, t('nothingToday'))))));
    }));
  }

  function planItem(item, today) {
    const o = item.occasion;
    const activeNow = (!item.from || item.from <= today) && (!item.to || today <= item.to);
    const personal = o.trigger === 'birthday' || o.trigger === 'anniversary' || o.trigger === 'event';
    const names = personal && item.clients?.length
      ? h('p', { class: 'plan-clients small' }, item.clients.map((c) => (c.years ? `${c.name} (${c.years})` : c.name)).join(', '),
        item.targeted > item.clients.length ? ` +${fmtNumber(item.targeted - item.clients.length)}` : '')
      : null;
    return h('li', { class: ['plan-item', `kind-${o.kind}`], dataset: { occasion: o.id } },
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
