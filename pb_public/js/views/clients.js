// The Clients view: every client of the caller's scope, sorted by name, with
// search by client or contact name in any script and the worklist's
// filters; a row opens the client's card.

import { h, replace, option, debounce } from '../dom.js';
import { t, label, fmtNumber } from '../i18n.js';
import { api, me, isServiceManager, loadLookups } from '../api.js';
import { navigate, fail, errorBox, loadingBox, badge } from '../ui.js';
import { openCard } from './card.js';

const SEGMENTS = ['A+', 'A', 'B', 'C', 'D'];
const STAGES = ['prospect', 'new', 'regular', 'sleeping', 'lost'];
const FILTERS = ['q', 'segment', 'stage', 'tag', 'manager', 'point'];
const PER_PAGE = 100;

export function mount(root, { params }) {
  const view = { params: read(params), lookups: null, items: [], data: null, seq: 0, disposed: false };
  const els = {
    filters: h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }),
    status: h('p', { class: 'wl-status', role: 'status', 'aria-live': 'polite' }),
    table: h('div', { class: 'clients-table' }),
  };
  replace(root, h('section', { class: 'page clients', 'aria-labelledby': 'clients-title' },
    h('h1', { id: 'clients-title' }, t('clientsTitle')),
    h('p', { class: 'muted lead' }, t('clientsLead')),
    els.filters, els.status, els.table));

  function read(p) {
    const out = {};
    for (const k of FILTERS) out[k] = p.get(k) || '';
    return out;
  }

  function renderFilters() {
    const p = view.params;
    const lk = view.lookups;
    const search = h('input', {
      type: 'search', id: 'clients-q', value: p.q, placeholder: t('searchPlaceholder'), autocomplete: 'off',
      oninput: debounce(() => set('q', search.value.trim()), 250),
    });
    const select = (key, labelText, options, anyLabel = t('any')) => {
      const el = h('select', { id: `clients-${key}`, onchange: () => set(key, el.value) }, option('', anyLabel, p[key]), options);
      return h('label', { class: 'field', for: `clients-${key}` }, h('span', { class: 'field-label' }, labelText), el);
    };
    const managers = lk ? (isServiceManager() ? lk.managers : lk.managers.filter((u) => u.point === me()?.point)) : [];
    replace(els.filters,
      h('label', { class: 'field field-search', for: 'clients-q' }, h('span', { class: 'field-label' }, t('search')), search),
      select('segment', t('segment'), SEGMENTS.map((s) => option(s, s, p.segment))),
      select('stage', t('stage'), STAGES.map((s) => option(s, label('stage', s), p.stage))),
      lk?.tags.length ? select('tag', t('tag'), lk.tags.map((tag) => option(tag, tag, p.tag))) : null,
      select('manager', t('manager'), [option('me', me()?.name || 'me', p.manager), option('none', t('noManager'), p.manager),
        ...managers.filter((u) => u.id !== me()?.id).map((u) => option(u.id, u.name, p.manager))]),
      isServiceManager() && lk ? select('point', t('point'), lk.points.map((pt) => option(pt.id, pt.name, p.point))) : null);
  }

  function set(key, value) {
    if (view.params[key] === value) return;
    view.params[key] = value;
    navigate('clients', view.params, { replace: true });
    load();
  }

  async function load(page = 1) {
    const seq = ++view.seq;
    if (page === 1) replace(els.table, loadingBox());
    let res;
    try {
      res = await api.clients({ ...view.params, page, perPage: PER_PAGE });
    } catch (err) {
      if (seq === view.seq && !view.disposed) replace(els.table, errorBox(err, () => load()));
      return;
    }
    if (seq !== view.seq || view.disposed) return;
    view.data = res;
    view.items = page === 1 ? res.items || [] : [...view.items, ...(res.items || [])];
    render();
  }

  function render() {
    const total = view.data?.totalItems ?? view.items.length;
    els.status.textContent = view.items.length ? t('shown', { shown: fmtNumber(view.items.length), total: fmtNumber(total) }) : '';
    if (!view.items.length) {
      replace(els.table, h('p', { class: 'empty' }, t('noResults')));
      return;
    }
    replace(els.table,
      h('table', { class: 'rows clients-rows' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('colClient')),
          h('th', { scope: 'col' }, t('manager')),
          isServiceManager() ? h('th', { scope: 'col' }, t('point')) : null)),
        h('tbody', {}, view.items.map((c) => h('tr', { class: 'row', dataset: { client: c.id } },
          h('td', { class: 'c-client' },
            h('button', { type: 'button', class: 'linklike client-name', 'aria-label': t('openCard', { client: c.name }), onclick: () => openCard(c.id) }, c.name),
            h('div', { class: 'badges' },
              c.segment ? badge(c.segment, `seg seg-${c.segment.replace('+', 'plus')}`, t('segment')) : null,
              c.stage ? badge(label('stage', c.stage), 'stage', t('stage')) : null,
              (c.tags || []).map((tag) => badge(tag, 'tag', t('tag'))))),
          h('td', { class: 'c-manager' }, c.managerName || h('span', { class: 'muted' }, t('noManager'))),
          isServiceManager() ? h('td', { class: 'c-point' }, c.pointName) : null)))),
      view.items.length < total ? h('p', { class: 'more' }, h('button', { type: 'button', class: 'btn', onclick: () => load((view.data.page || 1) + 1) }, t('loadMore'))) : null);
  }

  renderFilters();
  loadLookups().then((lk) => {
    if (view.disposed) return;
    view.lookups = lk;
    renderFilters();
  }).catch(fail);
  load();

  return {
    update(params) {
      view.params = read(params);
      renderFilters();
      load();
    },
    unmount() {
      view.disposed = true;
    },
  };
}
