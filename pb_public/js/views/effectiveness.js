// The Replies view (service managers, SPEC §6 and §8): how often the done
// touches of a date range got a reply, per occasion and per version of its
// text, and per category. Each figure is a bar for the reply rate with a
// whisker for its 95 % Wilson interval and the numbers as text; a figure
// backed by fewer than 30 touches is drawn hatched and says so.
//
// The bars are HTML/CSS: every figure is real text beside its bar (the
// bars themselves are decoration, hidden from screen readers), and rows
// stack on a phone.

import { h, replace } from '../dom.js';
import { t, label, fmtDay, fmtNumber } from '../i18n.js';
import { get } from '../api.js';
import { navigate, errorBox, loadingBox, badge, busy } from '../ui.js';

/** The server's threshold of "enough data" (api/effectiveness.go). */
const ENOUGH = 30;
const DEFAULT_DAYS = 90;

const pct = (x) => Math.round((x || 0) * 100);

/** isoDay is a local date as YYYY-MM-DD. */
function isoDay(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** figuresText is "12 of 40 · 30 % (18–45 %)", or "no touches". */
export function figuresText(f) {
  if (!f.done) return t('eff_noTouches');
  return t('eff_figures', {
    replied: fmtNumber(f.replied), done: fmtNumber(f.done),
    rate: pct(f.rate), lower: pct(f.lower), upper: pct(f.upper),
  });
}

/** variantLabel names a version of an occasion's text: "RU · variant B", or the default text. */
function variantLabel(v) {
  if (!v.id) return t('eff_defaultText');
  const lang = (v.language || '').toUpperCase();
  const variant = v.variant ? t('eff_variant', { v: v.variant }) : '';
  return [lang, variant].filter(Boolean).join(' · ') || t('eff_version');
}

/** chartRow is one figure: its label, the bar with its whisker, and the numbers as text. */
function chartRow(name, f, { level = 'occasion', extra = null } = {}) {
  const enough = Boolean(f.enough);
  const lower = pct(f.lower);
  const upper = pct(f.upper);
  const text = figuresText(f);
  return h('div', {
    class: ['eff-row', `eff-${level}`, enough ? 'eff-enough' : 'eff-few'],
    dataset: { done: String(f.done), replied: String(f.replied), enough: String(enough) },
  },
  h('div', { class: 'eff-name' }, name, extra),
  h('div', { class: 'eff-track', 'aria-hidden': 'true', title: text },
    h('span', { class: 'eff-bar', style: `width:${pct(f.rate)}%` }),
    f.done ? h('span', { class: 'eff-ci', style: `left:${lower}%;width:${Math.max(0, upper - lower)}%` }) : null),
  h('div', { class: 'eff-figures' },
    h('span', { class: 'eff-text' }, text),
    !enough ? h('span', { class: 'eff-few-note' }, t('eff_notEnough', { n: ENOUGH })) : null,
    f.outcomes?.none ? h('span', { class: 'eff-none muted' }, t('eff_noOutcome', { n: f.outcomes.none, count: fmtNumber(f.outcomes.none) })) : null));
}

/** scale is the 0–100 % axis above a chart. */
function scale() {
  return h('div', { class: 'eff-row eff-scale', 'aria-hidden': 'true' },
    h('div', { class: 'eff-name' }),
    h('div', { class: 'eff-axis' }, [0, 25, 50, 75, 100].map((n) => h('span', { style: `left:${n}%` }, `${n}%`))),
    h('div', { class: 'eff-figures' }));
}

export function mount(root, { params }) {
  const view = { disposed: false, seq: 0, from: params.get('from') || '', to: params.get('to') || '' };
  const from = h('input', { type: 'date', id: 'eff-from', required: true });
  const to = h('input', { type: 'date', id: 'eff-to', required: true });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary' }, t('eff_show'));
  const presets = [30, 90, 365].map((days) => h('button', {
    type: 'button', class: 'btn btn-quiet btn-small', dataset: { days: String(days) },
    onclick: () => {
      const end = new Date();
      const start = new Date();
      start.setDate(start.getDate() + 1 - days);
      go(isoDay(start), isoDay(end));
    },
  }, t('eff_lastDays', { n: days })));
  const form = h('form', {
    class: 'filters eff-range',
    onsubmit: (e) => {
      e.preventDefault();
      go(from.value, to.value);
    },
  },
  h('label', { class: 'field', for: 'eff-from' }, h('span', { class: 'field-label' }, t('eff_from')), from),
  h('label', { class: 'field', for: 'eff-to' }, h('span', { class: 'field-label' }, t('eff_to')), to),
  apply,
  h('span', { class: 'eff-presets' }, presets));
  const body = h('div', { class: 'eff-body' });

  replace(root, h('section', { class: 'page effectiveness', 'aria-labelledby': 'eff-title' },
    h('h1', { id: 'eff-title' }, t('eff_title')),
    h('p', { class: 'muted lead' }, t('eff_lead')),
    form,
    h('p', { class: 'eff-legend muted' },
      [['bar', t('eff_keyRate')], ['ci', t('eff_keyInterval')], ['few', t('eff_keyFew', { n: ENOUGH })]].map(([key, text]) => h('span', { class: 'eff-legend-item' },
        h('span', { class: `eff-key eff-key-${key}`, 'aria-hidden': 'true' }), text))),
    body));

  function go(a, b) {
    view.from = a;
    view.to = b;
    navigate('effectiveness', { from: a, to: b }, { replace: true });
    return busy(apply, load);
  }

  async function load() {
    const seq = ++view.seq;
    replace(body, loadingBox());
    let res;
    try {
      res = await get('effectiveness', { from: view.from, to: view.to });
    } catch (err) {
      if (seq === view.seq && !view.disposed) replace(body, errorBox(err, load));
      return;
    }
    if (seq !== view.seq || view.disposed) return;
    // the server's range (its default is the last 90 days)
    from.value = res.from;
    to.value = res.to;
    render(res);
  }

  function render(res) {
    const range = t('eff_range', { from: fmtDay(res.from), to: fmtDay(res.to) });
    if (!res.totals?.done) {
      replace(body, h('p', { class: 'empty' }, t('eff_empty', { range })));
      return;
    }
    replace(body,
      h('section', { class: 'eff-section', 'aria-labelledby': 'eff-total' },
        h('h2', { id: 'eff-total' }, t('eff_total'), h('span', { class: 'muted eff-range-text' }, ` · ${range}`)),
        h('div', { class: 'eff-chart', dataset: { chart: 'total' } }, chartRow(t('eff_allOccasions'), res.totals))),
      h('section', { class: 'eff-section', 'aria-labelledby': 'eff-occasions' },
        h('h2', { id: 'eff-occasions' }, t('eff_byOccasion')),
        h('p', { class: 'muted eff-hint' }, t('eff_variantsHint')),
        h('div', { class: 'eff-chart', dataset: { chart: 'occasions' } },
          scale(),
          res.occasions.map((o) => h('div', { class: 'eff-group', dataset: { occasion: o.id } },
            chartRow(h('a', { href: `#/worklist?occasion=${encodeURIComponent(o.id)}`, class: 'eff-title' }, o.title), o.outcomes, {
              extra: h('span', { class: 'badges' },
                o.category ? badge(label('category', o.category), 'category') : null,
                badge(label('kind', o.kind), `kind kind-${o.kind}`)),
            }),
            o.variants.length > 1
              ? h('div', { class: 'eff-variants', role: 'group', 'aria-label': t('eff_versionsOf', { title: o.title }) },
                o.variants.map((v) => h('div', { class: 'eff-version', dataset: { template: v.id } },
                  chartRow(variantLabel(v), v.outcomes, { level: 'variant' }))))
              : null)))),
      h('section', { class: 'eff-section', 'aria-labelledby': 'eff-categories' },
        h('h2', { id: 'eff-categories' }, t('eff_byCategory')),
        h('div', { class: 'eff-chart', dataset: { chart: 'categories' } },
          scale(),
          res.categories.map((c) => h('div', { class: 'eff-group', dataset: { category: c.category } },
            chartRow(c.category ? label('category', c.category) : t('eff_noCategory'), c.outcomes))))));
  }

  load();
  return {
    update(p) {
      const a = p.get('from') || '';
      const b = p.get('to') || '';
      if (a !== view.from || b !== view.to) {
        view.from = a;
        view.to = b;
        load();
      }
    },
    unmount() {
      view.disposed = true;
    },
  };
}
