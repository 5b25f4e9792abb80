// The Coverage view (service managers): for one occasion, how many of the
// eligible clients each point and each manager has touched, skipped, held
// or still has pending, with a link to the occasion's worklist.

import { h, replace, option } from '../dom.js';
import { t, label, fmtNumber } from '../i18n.js';
import { api } from '../api.js';
import { navigate, errorBox, loadingBox, badge, bar } from '../ui.js';

const COLUMNS = ['eligible', 'done', 'skipped', 'held', 'pending'];

export function mount(root, { params }) {
  let disposed = false;
  let occasionId = params.get('occasion') || '';
  let occasions = [];
  const picker = h('div', { class: 'filters' });
  const body = h('div', { class: 'coverage-body' });
  replace(root, h('section', { class: 'page coverage', 'aria-labelledby': 'coverage-title' },
    h('h1', { id: 'coverage-title' }, t('coverageTitle')),
    h('p', { class: 'muted lead' }, t('coverageLead')),
    picker, body));

  async function loadOccasions() {
    replace(body, loadingBox());
    try {
      // active ones first (the server decides what is active today)
      occasions = (await api.occasions()).items.map((item) => item.occasion);
    } catch (err) {
      if (!disposed) replace(body, errorBox(err, loadOccasions));
      return;
    }
    if (disposed) return;
    if (!occasions.some((o) => o.id === occasionId)) occasionId = occasions[0]?.id || '';
    renderPicker();
    load();
  }

  function renderPicker() {
    const select = h('select', {
      id: 'coverage-occasion',
      onchange: () => {
        occasionId = select.value;
        navigate('coverage', { occasion: occasionId }, { replace: true });
        renderPicker();
        load();
      },
    }, occasions.map((o) => option(o.id, o.title, occasionId)));
    const o = occasions.find((x) => x.id === occasionId);
    replace(picker,
      h('label', { class: 'field field-wide', for: 'coverage-occasion' }, h('span', { class: 'field-label' }, t('occasions')), select),
      o ? h('p', { class: 'occ-links' },
        badge(label('kind', o.kind), `kind kind-${o.kind}`),
        h('a', { href: `#/worklist?occasion=${encodeURIComponent(o.id)}` }, t('openWorklist'))) : null);
  }

  async function load() {
    if (!occasionId) {
      replace(body, h('p', { class: 'empty' }, t('noOccasions')));
      return;
    }
    const asked = occasionId;
    replace(body, loadingBox());
    let res;
    try {
      res = await api.stats({ occasion: asked });
    } catch (err) {
      if (!disposed && asked === occasionId) replace(body, errorBox(err, load));
      return;
    }
    if (disposed || asked !== occasionId) return;
    replace(body,
      table(t('perPoint'), 'points', res.points || [], (r) => r.name, res.totals),
      table(t('perManager'), 'managers', res.managers || [], (r) => r.name || t('noManager')));
  }

  function line(r, name, cell = 'td') {
    return h('tr', {},
      h('th', { scope: 'row' }, name),
      COLUMNS.map((c) => h(cell, { class: 'num', dataset: { col: c, label: c === 'eligible' ? t('eligible') : t(`state_${c}`) } }, fmtNumber(r[c] ?? 0))),
      h('td', { class: 'c-bar' }, bar(r.done ?? 0, r.eligible ?? 0)));
  }

  function table(title, key, rows, nameOf, totals) {
    const id = `coverage-${key}`;
    return h('section', { class: 'coverage-section', 'aria-labelledby': id },
      h('h2', { id }, title),
      rows.length ? h('table', { class: 'rows coverage-rows', dataset: { table: key } },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, key === 'points' ? t('point') : t('manager')),
          COLUMNS.map((c) => h('th', { scope: 'col', class: 'num' }, c === 'eligible' ? t('eligible') : t(`state_${c}`))),
          h('th', { scope: 'col' }, t('nav_coverage')))),
        h('tbody', {}, rows.map((r) => line(r, nameOf(r)))),
        totals ? h('tfoot', {}, line(totals, t('total'))) : null) : h('p', { class: 'muted' }, t('noResults')));
  }

  loadOccasions();
  return {
    update(p) {
      if ((p.get('occasion') || '') !== occasionId && p.get('occasion')) {
        occasionId = p.get('occasion');
        renderPicker();
        load();
      }
    },
    unmount: () => (disposed = true),
  };
}
