// The Due view: the cadence queue. Clients whose last done touch is older
// than their segment's rhythm, most overdue first, coloured by level. A
// touch is logged right here: each row opens the client's message of the
// built-in daily "personal contact" occasion (the due route names it) with
// the worklist's channels, done / skip with a comment, and Undo.

import { h, replace, option, debounce } from '../dom.js';
import { t, label, fmtMoment, fmtNumber } from '../i18n.js';
import { api, me, isServiceManager, loadLookups, markTouch } from '../api.js';
import { navigate, toast, fail, errorBox, loadingBox, badge, busy, counter } from '../ui.js';
import { openCard } from './card.js';
import { canWithdraw, updateTouch } from '../marks.js';
import { channelButtons, copyText } from '../touchrow.js';

const LEVELS = ['overdue', 'due', 'soon', 'ok'];
const SEGMENTS = ['A+', 'A', 'B', 'C', 'D'];
const FILTERS = ['level', 'segment', 'manager', 'point', 'q'];
const PER_PAGE = 100;

export function mount(root, { params }) {
  const view = { params: read(params), lookups: null, items: [], data: null, seq: 0, disposed: false };
  const els = {
    filters: h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }),
    status: h('p', { class: 'wl-status', role: 'status', 'aria-live': 'polite' }),
    tabs: h('div', { class: 'state-tabs', role: 'group', 'aria-label': t('level') }),
    table: h('div', { class: 'due-table' }),
  };
  replace(root, h('section', { class: 'page due', 'aria-labelledby': 'due-title' },
    h('h1', { id: 'due-title' }, t('dueTitle')),
    h('p', { class: 'muted lead' }, t('dueLead')),
    els.tabs, els.filters, els.status, els.table));

  function read(p) {
    const out = {};
    for (const k of FILTERS) out[k] = p.get(k) || '';
    return out;
  }

  function renderFilters() {
    const p = view.params;
    const lk = view.lookups;
    const search = h('input', { type: 'search', id: 'due-q', value: p.q, placeholder: t('searchPlaceholder'), autocomplete: 'off', oninput: debounce(() => set('q', search.value.trim()), 250) });
    const select = (key, labelText, options, anyLabel = t('any')) => {
      const el = h('select', { id: `due-${key}`, onchange: () => set(key, el.value) }, option('', anyLabel, p[key]), options);
      return h('label', { class: 'field', for: `due-${key}` }, h('span', { class: 'field-label' }, labelText), el);
    };
    const managers = lk ? (isServiceManager() ? lk.managers : lk.managers.filter((u) => u.point === me()?.point)) : [];
    replace(els.filters,
      h('label', { class: 'field field-search', for: 'due-q' }, h('span', { class: 'field-label' }, t('search')), search),
      select('segment', t('segment'), SEGMENTS.map((s) => option(s, s, p.segment))),
      select('manager', t('manager'), [option('me', me()?.name || 'me', p.manager), option('none', t('noManager'), p.manager), ...managers.filter((u) => u.id !== me()?.id).map((u) => option(u.id, u.name, p.manager))]),
      isServiceManager() && lk ? select('point', t('point'), lk.points.map((pt) => option(pt.id, pt.name, p.point))) : null);
  }

  /** renderTabs shows the levels as tabs with the server's counts (for the whole filtered set). */
  function renderTabs() {
    const counts = view.data?.counts || {};
    const sum = (levels) => levels.reduce((n, l) => n + (counts[l] ?? 0), 0);
    const tabs = [
      ['', t('levelsDue'), sum(['due', 'overdue']), 'due'],
      ...LEVELS.map((l) => [l, t(`level_${l}`), counts[l] ?? 0, l]),
      ['all', t('levelsAll'), sum(LEVELS), 'all'],
    ];
    replace(els.tabs, tabs.map(([value, text, n, cls]) => h('button', {
      type: 'button',
      class: ['tab', `tab-level-${cls}`],
      'aria-pressed': view.params.level === value ? 'true' : 'false',
      dataset: { level: value || 'due,overdue' },
      onclick: () => { set('level', value); renderTabs(); },
    }, cls !== 'all' ? h('span', { class: `dot level-${cls}`, 'aria-hidden': 'true' }) : null, text,
    view.data ? h('span', { class: 'tab-count' }, fmtNumber(n)) : null)));
  }

  function set(key, value) {
    if (view.params[key] === value) return;
    view.params[key] = value;
    navigate('due', view.params, { replace: true });
    load();
  }

  async function load(page = 1) {
    const seq = ++view.seq;
    if (page === 1) replace(els.table, loadingBox());
    const { level, ...rest } = view.params;
    let res;
    try {
      res = await api.due({ ...rest, level: level || 'due,overdue', page, perPage: PER_PAGE });
    } catch (err) {
      if (seq === view.seq && !view.disposed) replace(els.table, errorBox(err, () => load()));
      return;
    }
    if (seq !== view.seq || view.disposed) return;
    view.data = res;
    view.items = page === 1 ? res.items || [] : [...view.items, ...(res.items || [])];
    renderTabs();
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
      h('table', { class: 'rows due-rows' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('level')),
          h('th', { scope: 'col' }, t('colClient')),
          h('th', { scope: 'col' }, t('lastTouch')),
          h('th', { scope: 'col' }, t('daysSince')),
          h('th', { scope: 'col' }, t('yearMix')),
          view.data?.occasion ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('colActions'))) : null)),
        h('tbody', {}, view.items.map((item) => {
          const c = item.client;
          const last = item.lastTouch;
          const lastAt = typeof last === 'string' ? last : '';
          const pct = item.interval > 0 && item.daysSince != null ? Math.min(100, Math.round((100 * item.daysSince) / item.interval)) : 100;
          const sub = [c.contact_name, isServiceManager() ? c.pointName : '', c.managerName].filter(Boolean).join(' · ');
          const tr = h('tr', { class: ['row', `level-row-${item.level}`], dataset: { client: c.id, level: item.level } },
            h('td', { class: 'c-level' }, badge(t(`level_${item.level}`), `level level-${item.level}`)),
            h('td', { class: 'c-client' },
              h('button', { type: 'button', class: 'linklike client-name', 'aria-label': t('openCard', { client: c.name }), onclick: () => openCard(c.id) }, c.name),
              sub ? h('div', { class: 'sub muted' }, sub) : null,
              h('div', { class: 'badges' }, badge(c.segment, `seg seg-${(c.segment || '').replace('+', 'plus')}`, t('segment')), badge(label('stage', c.stage), 'stage'))),
            h('td', { class: 'c-last' }, lastAt ? fmtMoment(lastAt) : h('span', { class: 'muted' }, t('never'))),
            h('td', { class: 'c-days' },
              h('span', { class: 'bar-wrap' },
                h('span', { class: `bar bar-${item.level}`, 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `width:${pct}%` })),
                h('span', { class: 'bar-text' }, t('daysOf', { days: item.daysSince, interval: item.interval })))),
            h('td', { class: 'c-mix' },
              t('mixValue', { mandatory: item.mandatory ?? 0, standard: item.standard ?? 0 }),
              h('div', { class: ['small', item.ratioMet ? 'ok-text' : 'warn-text'] }, item.ratioMet ? `✓ ${t('ratioMet')}` : `! ${t('ratioNotMet')}`)),
            view.data?.occasion ? h('td', { class: 'c-log' }, h('button', {
              type: 'button', class: 'btn btn-small btn-log', 'aria-expanded': 'false', 'aria-label': t('logTouchFor', { client: c.name }),
              onclick: (e) => toggleLog(tr, c, e.currentTarget),
            }, t('logTouch'))) : null);
          return tr;
        }))),
      view.items.length < total ? h('p', { class: 'more' }, h('button', { type: 'button', class: 'btn', onclick: () => load((view.data.page || 1) + 1) }, t('loadMore'))) : null);
  }

  /**
   * toggleLog opens (or closes) the touch form under a client's row: the
   * client's message for the personal-contact occasion from the worklist
   * route (language, contact, variant and links as the worklist renders
   * them), its channels, a comment, done / skip.
   */
  async function toggleLog(tr, client, button) {
    const open = tr.nextElementSibling?.classList.contains('due-log') ? tr.nextElementSibling : null;
    if (open) {
      open.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    const cell = h('td', { colspan: '6' }, loadingBox());
    tr.after(h('tr', { class: 'due-log', dataset: { client: client.id } }, cell));
    const occasion = view.data.occasion;
    let item;
    try {
      const res = await api.worklist({ occasion: occasion.id, state: 'all', q: client.name, perPage: 20, skipTotal: 1 });
      item = (res.items || []).find((i) => i.client.id === client.id);
    } catch (err) {
      replace(cell, errorBox(err));
      return;
    }
    if (!item) {
      replace(cell, h('p', { class: 'muted' }, t('noResults')));
      return;
    }
    renderLog(cell, item, occasion);
  }

  function renderLog(cell, item, occasion) {
    let channel = '';
    const comment = h('input', { type: 'text', class: 'comment', maxlength: '2000', placeholder: t('commentPlaceholder'), 'aria-label': t('commentLabel', { client: item.client.name }) });
    const done = h('button', { type: 'button', class: 'btn btn-done', onclick: () => busy(done, () => log('done')) }, t('done'));
    const skip = h('button', { type: 'button', class: 'btn btn-skip', onclick: () => busy(skip, () => log('skipped')) }, t('skip'));
    async function log(status) {
      try {
        const touch = await markTouch({ client: item.client.id, contact: item.contact?.id, occasion: occasion.id, status, channel, comment: comment.value.trim() });
        toast(t(status === 'done' ? 'markedDone' : 'markedSkipped', { client: item.client.name }), {
          kind: 'ok', key: 'mark',
          action: canWithdraw(touch) ? { label: t('undo'), run: () => updateTouch(touch.id, { status: 'withdrawn' }).then(() => load(), fail) } : null,
        });
        load(); // the client's level follows the new touch
      } catch (err) {
        fail(err);
      }
    }
    const touched = item.touch ? h('p', { class: `state-line state-${item.touch.status}` },
      t('touchedBy', { status: t(`state_${item.touch.status}`), author: item.touch.authorName, when: fmtMoment(item.touch.created) })) : null;
    replace(cell, h('div', { class: 'due-log-body' },
      h('p', { class: 'muted small' }, occasion.title, item.contact ? ` · ${item.contact.name}` : ''),
      h('p', { class: 'msg' }, item.message || ''),
      h('div', { class: 'channels' },
        h('button', { type: 'button', class: 'btn btn-copy', disabled: !item.message, onclick: async () => toast((await copyText(item.message)) ? t('copied') : t('copyFailed'), { kind: 'ok' }) }, t('copy')),
        channelButtons(item, (ch) => { channel = ch; })),
      touched || h('div', { class: 'mark' }, comment, counter(comment, 2000), h('div', { class: 'mark-buttons' }, done, skip))));
    comment.focus();
  }

  renderTabs();
  renderFilters();
  loadLookups().then((lk) => {
    if (view.disposed) return;
    view.lookups = lk;
    renderFilters();
    if (view.items.length) render();
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
