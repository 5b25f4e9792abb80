// The worklist (SPEC §8): pick an active occasion, filter its clients, copy
// or open the personalised message in a channel, then mark the client done
// or skipped with an optional comment, all from the keyboard if you like.
// Marks by colleagues arrive over realtime and change the rows in place.

import { h, replace, option, debounce, isTyping } from '../dom.js';
import { t, label, fmtDay, fmtMoment, fmtNumber } from '../i18n.js';
import { pb, api, me, isServiceManager, markTouch, addComment, loadLookups, TOUCHES_TOPIC, OCCASIONS_TOPIC } from '../api.js';
import { route, navigate, toast, clearToasts, placeToasts, counter, fail, errorBox, loadingBox, badge } from '../ui.js';
import { openCard, isOpen as cardIsOpen } from './card.js';
import { markActions, replyButtons, updateTouch, canWithdraw } from '../marks.js';
import { channelButtons, copyText } from '../touchrow.js';

const STATES = ['pending', 'done', 'skipped', 'held', 'all'];
const SEGMENTS = ['A+', 'A', 'B', 'C', 'D'];
const STAGES = ['prospect', 'new', 'regular', 'sleeping', 'lost'];
const TOUCH_CHANNELS = ['telegram', 'whatsapp', 'email', 'phone', 'meeting', 'other'];
const FILTERS = ['segment', 'stage', 'tag', 'manager', 'point', 'q'];
const PER_PAGE = 100;

/** occasionWindow describes when an occasion is active, for its header. */
function occasionWindow(o) {
  if (o.trigger === 'birthday' || o.trigger === 'anniversary' || o.trigger === 'event') return label('trigger', o.trigger);
  const from = fmtDay(o.starts, { day: 'numeric', month: 'short' });
  const to = fmtDay(o.ends, { day: 'numeric', month: 'short' });
  const text = from && to ? t('window', { from, to }) : from ? t('windowFrom', { from }) : to ? t('windowTo', { to }) : '';
  return o.repeat && o.repeat !== 'none' ? [text, label('repeat', o.repeat)].filter(Boolean).join(' · ') : text;
}

export function mount(root, { params }) {
  const view = {
    params: readParams(params),
    occasions: [],
    pending: {}, // occasion id -> pending count
    lookups: null,
    data: null, // last worklist response (occasion, counts, totals)
    items: [], // loaded rows, in order
    rows: new Map(), // rowKey -> {item, tr, channel}
    cursor: null, // rowKey of the keyboard row
    armed: null, // {client, status}
    seq: 0,
    ready: false, // the occasion list has loaded (rows load after it)
    unsubs: [],
    disposed: false,
  };

  const els = {
    list: h('ul', { class: 'occ-list' }),
    head: h('div', { class: 'occ-head' }),
    tabs: h('div', { class: 'state-tabs', role: 'group', 'aria-label': t('statesLabel') }),
    filters: h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() }),
    status: h('p', { class: 'wl-status', role: 'status', 'aria-live': 'polite' }),
    live: h('span', { class: 'live', title: t('liveTitle') }),
    table: h('div', { class: 'wl-table' }),
  };

  replace(root,
    h('div', { class: 'worklist' },
      h('aside', { class: 'occ-aside', 'aria-labelledby': 'occ-title' },
        h('h2', { id: 'occ-title', class: 'aside-title' }, t('activeOccasions')),
        els.list),
      h('section', { class: 'wl-main', 'aria-labelledby': 'occasion-title' },
        els.head,
        els.tabs,
        els.filters,
        h('div', { class: 'wl-bar' }, els.status, els.live),
        h('p', { class: 'keys-help', id: 'keys-help' }, t('keysHelp')),
        els.table)));

  // --- address -----------------------------------------------------------

  function readParams(p) {
    const out = { occasion: p.get('occasion') || '', state: STATES.includes(p.get('state')) ? p.get('state') : 'pending' };
    for (const k of FILTERS) out[k] = p.get(k) || '';
    return out;
  }

  /** writeParams keeps the address in step with the view, unless the address has already moved on (a link was followed while we loaded). */
  function writeParams() {
    if (view.disposed || route().view !== 'worklist') return;
    navigate('worklist', view.params, { replace: true });
  }

  // --- occasions -----------------------------------------------------------

  /** loadOccasions fills the picker; quiet (a live update) keeps the list on screen while it loads, rows: false keeps the rows. */
  async function loadOccasions({ quiet = false, rows = true } = {}) {
    if (!quiet) replace(els.list, h('li', {}, loadingBox()));
    const before = view.params.occasion;
    try {
      // the day's occasions with their pending counts, in one request; the
      // server decides what is active today and in which order they come
      const { items } = await api.occasions();
      if (view.disposed) return;
      const active = items.filter((item) => item.occasion.active);
      view.occasions = active.map((item) => item.occasion);
      for (const item of active) view.pending[item.occasion.id] = item.counts?.pending ?? null;
    } catch (err) {
      replace(els.list, h('li', {}, errorBox(err, () => loadOccasions())));
      return;
    }
    // the address may have changed while the list loaded (a link, back / forward)
    const { view: name, params: now } = route();
    if (name === 'worklist') view.params = readParams(now);
    if (!view.occasions.some((o) => o.id === view.params.occasion)) {
      view.params.occasion = view.occasions[0]?.id || '';
      writeParams();
    }
    view.ready = true;
    renderOccasions();
    if (rows || view.params.occasion !== before) loadRows({ keepCursor: quiet });
  }

  function renderOccasions() {
    if (!view.occasions.length) {
      replace(els.list, h('li', { class: 'muted' }, t('noOccasions')));
      return;
    }
    replace(els.list, view.occasions.map((o) => {
      const current = o.id === view.params.occasion;
      const n = view.pending[o.id];
      return h('li', {},
        h('button', {
          type: 'button',
          class: ['occ', current && 'occ-current', `kind-${o.kind}`],
          'aria-pressed': current ? 'true' : 'false',
          dataset: { occasion: o.id },
          onclick: () => selectOccasion(o.id),
        },
        h('span', { class: 'occ-title' }, o.title),
        h('span', { class: 'occ-meta' },
          badge(label('kind', o.kind), `kind kind-${o.kind}`),
          h('span', { class: 'muted' }, occasionWindow(o))),
        n === undefined || n === null ? null
          : h('span', { class: ['count', n === 0 && 'count-zero'], 'aria-label': t('pendingCount', { n }) }, fmtNumber(n))));
    }));
    const current = els.list.querySelector('.occ-current');
    if (current && els.list.scrollWidth > els.list.clientWidth) {
      els.list.scrollLeft = current.parentElement.offsetLeft - els.list.offsetLeft;
    }
  }

  function selectOccasion(id) {
    if (id === view.params.occasion) return;
    view.params.occasion = id;
    writeParams();
    renderOccasions();
    loadRows();
  }

  function currentOccasion() {
    return view.data?.occasion?.id === view.params.occasion
      ? { ...view.occasions.find((o) => o.id === view.params.occasion), ...view.data.occasion }
      : view.occasions.find((o) => o.id === view.params.occasion);
  }

  function renderHead() {
    const o = currentOccasion();
    if (!o) {
      replace(els.head, h('h1', { id: 'occasion-title' }, t('worklistTitle')), h('p', { class: 'muted' }, view.occasions.length ? t('pickOccasion') : t('noOccasions')));
      return;
    }
    const links = isServiceManager()
      ? h('p', { class: 'occ-links' },
        h('a', { href: `#/coverage?occasion=${encodeURIComponent(o.id)}` }, t('seeCoverage')))
      : null;
    replace(els.head,
      h('h1', { id: 'occasion-title' }, o.title),
      h('p', { class: 'occ-meta' },
        badge(label('kind', o.kind), `kind kind-${o.kind}`),
        o.category ? badge(label('category', o.category), 'cat') : null,
        h('span', { class: 'muted' }, occasionWindow(o))),
      o.template ? h('details', { class: 'template' }, h('summary', {}, t('template')), h('pre', {}, o.template)) : null,
      links);
  }

  // --- state tabs and filters ---------------------------------------------

  function renderTabs() {
    const counts = view.data?.counts || {};
    replace(els.tabs, STATES.map((s) => h('button', {
      type: 'button',
      class: ['tab', `tab-${s}`],
      'aria-pressed': view.params.state === s ? 'true' : 'false',
      dataset: { state: s },
      onclick: () => {
        view.params.state = s;
        writeParams();
        renderTabs();
        loadRows();
      },
    }, t(`state_${s}`), counts[s] === undefined ? null : h('span', { class: 'tab-count', dataset: { count: s } }, fmtNumber(counts[s])))));
  }

  function renderFilters() {
    const lk = view.lookups;
    const p = view.params;
    const search = h('input', {
      type: 'search', id: 'wl-q', value: p.q, placeholder: t('searchPlaceholder'), autocomplete: 'off',
      oninput: debounce(() => setFilter('q', search.value.trim()), 250),
    });
    const select = (key, options) => {
      const el = h('select', { id: `wl-${key}`, onchange: () => setFilter(key, el.value) }, option('', t('any'), p[key]), options);
      return h('label', { class: 'field', for: `wl-${key}` }, h('span', { class: 'field-label' }, t(key)), el);
    };
    const managers = lk ? (isServiceManager() ? lk.managers : lk.managers.filter((u) => u.point === me()?.point)) : [];
    const managerLabel = (u) => (isServiceManager() && lk.pointName[u.point] ? `${u.name} (${lk.pointName[u.point]})` : u.name);
    const active = FILTERS.filter((k) => k !== 'q' && p[k]).length;
    // on a phone the selects fold away behind "Filters"; open elsewhere or when one is set
    const open = view.filtersOpen ?? (active > 0 || matchMedia('(min-width: 701px)').matches);
    const more = h('details', { class: 'more-filters', open, ontoggle: () => (view.filtersOpen = more.open) },
      h('summary', {}, t('filters'), active ? h('span', { class: 'tab-count' }, ` ${active}`) : null),
      h('div', { class: 'more-filters-body' },
        select('segment', SEGMENTS.map((s) => option(s, s, p.segment))),
        select('stage', STAGES.map((s) => option(s, label('stage', s), p.stage))),
        lk?.tags.length ? select('tag', lk.tags.map((tag) => option(tag, tag, p.tag))) : null,
        select('manager', [option('me', me()?.name || 'me', p.manager), option('none', t('noManager'), p.manager), ...managers.filter((u) => u.id !== me()?.id).map((u) => option(u.id, managerLabel(u), p.manager))]),
        isServiceManager() && lk ? select('point', lk.points.map((pt) => option(pt.id, pt.name, p.point))) : null,
        FILTERS.some((k) => p[k]) ? h('button', { type: 'button', class: 'btn btn-quiet', onclick: clearFilters }, t('clearFilters')) : null));
    replace(els.filters,
      h('label', { class: 'field field-search', for: 'wl-q' }, h('span', { class: 'field-label' }, t('search')), search),
      more);
  }

  function setFilter(key, value) {
    if (view.params[key] === value) return;
    view.params[key] = value;
    writeParams();
    if (key !== 'q') renderFilters();
    loadRows();
  }

  function clearFilters() {
    for (const k of FILTERS) view.params[k] = '';
    writeParams();
    renderFilters();
    loadRows();
  }

  // --- rows ------------------------------------------------------------------

  async function loadRows({ page = 1, keepCursor = false } = {}) {
    const seq = ++view.seq;
    if (!view.params.occasion) {
      view.data = null;
      renderHead();
      renderTabs();
      replace(els.table);
      els.status.textContent = '';
      return;
    }
    if (page === 1 && !keepCursor) replace(els.table, loadingBox());
    let res;
    try {
      res = await api.worklist({ ...view.params, page, perPage: PER_PAGE });
    } catch (err) {
      if (seq !== view.seq || view.disposed) return;
      replace(els.table, errorBox(err, () => loadRows()));
      return;
    }
    if (seq !== view.seq || view.disposed) return;
    view.data = res;
    if (res.counts && !filtered()) view.pending[view.params.occasion] = res.counts.pending;
    if (page === 1) {
      view.items = [];
      view.rows.clear();
      if (!keepCursor) view.cursor = null;
      view.armed = null;
    }
    view.items.push(...(res.items || []));
    renderHead();
    renderTabs();
    renderOccasions();
    renderTable();
  }

  /** renderStatus says how many of the tab's rows are on screen, following the tab's count as rows are marked. */
  function renderStatus() {
    const tab = view.params.state;
    const total = view.data?.counts?.[tab] ?? view.data?.totalItems ?? view.items.length;
    const shown = tab === 'all' ? view.items.length : view.items.filter((i) => rowState(i) === tab).length;
    els.status.textContent = view.items.length ? t('shown', { shown: fmtNumber(shown), total: fmtNumber(Math.max(total, shown)) }) : '';
  }

  function renderTable() {
    const total = view.data?.totalItems ?? view.items.length;
    renderStatus();
    if (!view.items.length) {
      replace(els.table, h('p', { class: 'empty' }, t('noResults')));
      return;
    }
    const hadFocus = els.table.contains(document.activeElement);
    const tbody = h('tbody', {});
    view.rows.clear();
    for (const item of view.items) {
      const row = { item, tr: null, channel: '' };
      view.rows.set(rowKey(item), row);
      row.tr = buildRow(row);
      tbody.append(row.tr);
    }
    const more = view.items.length < total
      ? h('p', { class: 'more' }, h('button', { type: 'button', class: 'btn', onclick: () => loadRows({ page: (view.data.page || 1) + 1 }) }, t('loadMore')))
      : null;
    replace(els.table,
      h('table', { class: 'rows', 'aria-describedby': 'keys-help' },
        h('caption', { class: 'visually-hidden' }, `${t('worklistTitle')}: ${currentOccasion()?.title || ''} · ${t(`state_${view.params.state}`)}`),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('colClient')),
          h('th', { scope: 'col' }, t('colMessage')),
          h('th', { scope: 'col' }, t('colActions')))),
        tbody),
      more);
    if (!view.cursor || !view.rows.has(view.cursor)) {
      const first = view.items.find((i) => i.state === 'pending') ?? view.items[0];
      view.cursor = first ? rowKey(first) : null;
    }
    setCursor(view.cursor, { focus: hadFocus });
  }

  /**
   * rowKey names a row: its client and the occurrence's period, which a
   * touch stores too. A birthday's rows are per person ("2027/<contact>"),
   * so two people at one client are two rows.
   */
  function rowKey(item) {
    return `${item.client.id}|${item.period ?? ''}`;
  }

  /** rowState is the row's state as the page knows it now. */
  function rowState(item) {
    if (item.touch) return item.touch.status;
    return item.state || (item.hold ? 'held' : 'pending');
  }

  function buildRow(row) {
    const { item } = row;
    const c = item.client;
    const state = rowState(item);
    const o = currentOccasion();
    const lk = view.lookups;
    const blocked = state === 'held' && o?.kind !== 'mandatory';
    const markable = !item.touch && !blocked;
    const armed = view.armed?.key === rowKey(item) ? view.armed.status : null;

    // client
    const manager = c.managerName || (c.manager ? lk?.userName[c.manager] : '') || '';
    const pointName = isServiceManager() ? (c.pointName || lk?.pointName[c.point] || '') : '';
    const sub = [c.contact_name, pointName, manager].filter(Boolean).join(' · ');
    const tags = Array.isArray(c.tags) ? c.tags : [];
    let stateLine = null;
    if (item.touch) {
      const author = item.touch.author === me()?.id ? null : (item.touch.authorName || lk?.userName[item.touch.author] || '');
      const vars = { status: t(`state_${item.touch.status}`), author, when: fmtMoment(item.touch.created) };
      stateLine = h('p', { class: `state-line state-${item.touch.status}` },
        h('span', { class: 'state-icon', 'aria-hidden': 'true' }, item.touch.status === 'done' ? '✓' : '↷'),
        author === null ? t('touchedByYou', vars) : t('touchedBy', vars),
        item.touch.comment ? h('q', { class: 'state-comment' }, item.touch.comment) : null,
        row.ask ? null : markActions(item.touch, (record) => applyTouch(row, record)));
    } else if (item.hold) {
      const hold = item.hold;
      const until = hold.until ? t('holdUntil', { date: fmtDay(hold.until) }) : t('holdUntilLifted');
      stateLine = h('p', { class: 'state-line state-held', title: hold.text || null },
        t('heldBecause', { reason: label('reason', hold.reason) || hold.text }),
        ` · ${until}`,
        hold.note ? h('span', { class: 'state-comment' }, hold.note) : null);
    }
    const eventLine = item.event
      ? h('p', { class: 'event-line small' }, t('eventLine', { kind: label('eventKind', item.event.kind), date: fmtDay(item.event.date), note: item.event.note }))
      : null;
    const clientCell = h('td', { class: 'c-client' },
      h('button', { type: 'button', class: 'linklike client-name', 'aria-label': t('openCard', { client: c.name }), onclick: () => openClient(row) }, c.name),
      sub ? h('div', { class: 'sub muted' }, sub) : null,
      h('div', { class: 'badges' },
        badge(c.segment, `seg seg-${(c.segment || '').replace('+', 'plus')}`, t('segment')),
        badge(label('stage', c.stage), 'stage', t('stage')),
        tags.map((tag) => badge(tag, 'tag'))),
      eventLine,
      stateLine);

    // message
    const missing = Array.isArray(item.missing) && item.missing.length
      ? h('p', { class: 'missing', role: 'note' }, '⚠ ', t('missing', { fields: item.missing.map((m) => `{{${m}}}`).join(', ') }))
      : null;
    const messageCell = h('td', { class: 'c-message' }, h('p', { class: 'msg' }, item.message || ''), missing);

    // actions
    const channelLinks = channelButtons(item, (ch) => {
      row.channel = ch;
      view.away = { key: rowKey(item), at: Date.now() }; // ask what came of it on return
      setCursor(rowKey(item), { focus: false });
    });
    const copyBtn = h('button', { type: 'button', class: 'btn btn-copy', disabled: !item.message, onclick: () => copyMessage(row) }, t('copy'));

    let markForm = null;
    if (markable) {
      const comment = h('input', {
        type: 'text', class: 'comment', maxlength: '2000', placeholder: t('commentPlaceholder'),
        'aria-label': t('commentLabel', { client: c.name }),
        onkeydown: (e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            mark(row, view.armed?.key === rowKey(item) ? view.armed.status : 'done');
          } else if (e.key === 'Escape') {
            e.preventDefault();
            disarm();
          }
        },
        onfocus: () => setCursor(rowKey(item), { focus: false }),
      });
      markForm = h('div', { class: 'mark' },
        comment, counter(comment, 2000),
        h('div', { class: 'mark-buttons' },
          h('button', { type: 'button', class: ['btn', 'btn-done', armed === 'done' && 'armed'], 'aria-label': t('markDoneLabel', { client: c.name }), onclick: () => mark(row, 'done') }, t('done')),
          h('button', { type: 'button', class: ['btn', 'btn-skip', armed === 'skipped' && 'armed'], 'aria-label': t('markSkipLabel', { client: c.name }), onclick: () => mark(row, 'skipped') }, t('skip'))),
        armed ? h('p', { class: 'armed-hint', role: 'status' }, t(armed === 'done' ? 'armedDone' : 'armedSkip')) : null);
    } else if (blocked) {
      markForm = h('p', { class: 'muted small' }, t('heldNoMark'));
    }
    const actionsCell = h('td', { class: 'c-actions' },
      blocked ? null : h('div', { class: 'channels' }, copyBtn, channelLinks.length ? channelLinks : h('span', { class: 'muted small' }, t('noHandles'))),
      row.lostComment ? lostCommentBox(row) : null,
      row.ask && (markable || item.touch?.status === 'done') ? h('div', { class: 'reply-ask' }, replyButtons((outcome, followUp) => answerReply(row, outcome, followUp), {
        onLater: () => { row.ask = false; rebuild(row); },
      })) : null,
      markForm);

    const tr = h('tr', {
      class: ['row', `row-${state}`, armed && 'row-armed'],
      dataset: { client: c.id, state },
      tabindex: '-1',
      'aria-label': `${c.name} · ${t(`state_${state}`)}`,
      onclick: (e) => {
        if (!(e.target instanceof HTMLElement) || !e.target.closest('button, a, input')) setCursor(rowKey(item), { focus: false });
      },
    }, clientCell, messageCell, actionsCell);
    return tr;
  }

  function rebuild(row) {
    const fresh = buildRow(row);
    const hadFocus = row.tr.contains(document.activeElement);
    row.tr.replaceWith(fresh);
    row.tr = fresh;
    if (view.cursor === rowKey(row.item)) setCursor(view.cursor, { focus: hadFocus });
  }

  // --- keyboard cursor -------------------------------------------------------

  function setCursor(id, { focus = true } = {}) {
    if (!id || !view.rows.has(id)) return;
    const prev = view.rows.get(view.cursor);
    if (prev && view.cursor !== id) {
      prev.tr.classList.remove('row-cursor');
      prev.tr.tabIndex = -1;
    }
    view.cursor = id;
    const row = view.rows.get(id);
    row.tr.classList.add('row-cursor');
    row.tr.tabIndex = 0;
    if (focus) {
      row.tr.focus({ preventScroll: true });
      row.tr.scrollIntoView({ block: 'nearest' });
    }
    placeToasts();
  }

  function moveCursor(delta) {
    const ids = view.items.map(rowKey);
    if (!ids.length) return;
    const at = ids.indexOf(view.cursor);
    const next = ids[Math.max(0, Math.min(ids.length - 1, at < 0 ? 0 : at + delta))];
    if (view.armed) disarm({ focus: false });
    setCursor(next);
  }

  function arm(status) {
    const row = view.rows.get(view.cursor);
    if (!row || !row.tr.querySelector('input.comment')) return;
    view.armed = { key: rowKey(row.item), status };
    rebuild(row);
    row.tr.querySelector('input.comment')?.focus();
  }

  function disarm({ focus = true } = {}) {
    const row = view.rows.get(view.armed?.key);
    view.armed = null;
    if (row) {
      rebuild(row);
      if (focus) setCursor(rowKey(row.item));
    }
  }

  function onKey(e) {
    if (view.disposed || cardIsOpen() || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e)) return; // the comment input handles its own Enter / Escape
    const row = view.rows.get(view.cursor);
    switch (e.key) {
      case 'j':
      case 'ArrowDown':
        e.preventDefault();
        moveCursor(1);
        break;
      case 'k':
      case 'ArrowUp':
        e.preventDefault();
        moveCursor(-1);
        break;
      case 'd':
        e.preventDefault();
        arm('done');
        break;
      case 's':
        e.preventDefault();
        arm('skipped');
        break;
      case 'c':
        if (row) {
          e.preventDefault();
          copyMessage(row);
        }
        break;
      case 'o':
        if (row) {
          e.preventDefault();
          (row.tr.querySelector('.btn-channel.preferred') || row.tr.querySelector('.btn-channel'))?.click();
        }
        break;
      case 'Enter':
        if (row && e.target === row.tr) {
          e.preventDefault();
          if (view.armed?.key === rowKey(row.item)) mark(row, view.armed.status);
          else openClient(row);
        }
        break;
      case 'Escape':
        if (view.armed) disarm();
        break;
      case '/':
        e.preventDefault();
        document.getElementById('wl-q')?.focus();
        break;
      default:
    }
  }
  document.addEventListener('keydown', onKey);

  // --- actions ---------------------------------------------------------------

  async function copyMessage(row) {
    setCursor(rowKey(row.item), { focus: false });
    const ok = await copyText(row.item.message || '');
    toast(ok ? t('copied') : t('copyFailed'), { kind: ok ? 'ok' : 'error' });
  }

  async function mark(row, status) {
    const { item } = row;
    if (item.touch || row.saving) return;
    const input = row.tr.querySelector('input.comment');
    const comment = input?.value.trim() || '';
    const preferred = TOUCH_CHANNELS.includes(item.client.channel) ? item.client.channel : '';
    row.saving = true;
    row.tr.setAttribute('aria-busy', 'true');
    row.tr.querySelectorAll('button, input').forEach((el) => (el.disabled = true));
    try {
      const touch = await markTouch({ client: item.client.id, contact: item.contact?.id, occasion: view.params.occasion, status, channel: row.channel || preferred, comment });
      if (view.disposed) return;
      if (view.armed?.key === rowKey(item)) view.armed = null;
      applyTouch(row, touch);
      toast(t(status === 'done' ? 'markedDone' : 'markedSkipped', { client: item.client.name }), {
        kind: 'ok', key: 'mark',
        action: canWithdraw(touch) ? { label: t('undo'), run: () => undo(row, touch, comment) } : null,
      });
      const next = view.items.slice(view.items.indexOf(item) + 1).find((i) => rowState(i) === 'pending');
      if (next) setCursor(rowKey(next));
    } catch (err) {
      row.saving = false;
      const d = fail(err);
      if (view.disposed) return;
      if (d?.code === 'validation_already_touched') {
        // the client was marked meanwhile (another tab, a colleague): the
        // typed comment is kept and offered for the card
        if (comment) row.lostComment = comment;
        showExistingTouch(row);
      } else {
        rebuild(row);
        if (input) row.tr.querySelector('input.comment').value = input.value;
      }
      return;
    } finally {
      row.saving = false;
    }
  }

  /** undo withdraws the mark just made (SPEC §4.7): the row is pending again with its comment back in the field. */
  async function undo(row, touch, comment) {
    try {
      const record = await updateTouch(touch.id, { status: 'withdrawn' });
      if (view.disposed) return;
      applyTouch(row, record);
      toast(t('withdrawn', { client: row.item.client.name }), { kind: 'ok', key: 'mark' });
      const input = row.tr.querySelector('input.comment');
      if (input && comment) input.value = comment;
      setCursor(rowKey(row.item));
    } catch (err) {
      fail(err);
    }
  }

  /**
   * answerReply records what came of a message sent from this row: the
   * outcome on the row's mark, or, when the row is not marked yet, the
   * mark (done, by the channel used) with its outcome in one request.
   */
  async function answerReply(row, outcome, followUp) {
    const { item } = row;
    const record = item.touch
      ? await updateTouch(item.touch.id, { outcome, follow_up: followUp })
      : await markTouch({
        client: item.client.id, contact: item.contact?.id, occasion: view.params.occasion, status: 'done',
        channel: row.channel || '', comment: row.tr.querySelector('input.comment')?.value.trim() || '', outcome, followUp,
      });
    if (view.disposed) return;
    row.ask = false;
    applyTouch(row, record);
    toast(t('outcomeSaved', { client: item.client.name, outcome: label('outcome', outcome) }), { kind: 'ok', key: 'mark' });
  }

  /** askOnReturn puts the reply question on the row whose channel the manager opened, when they come back. */
  function askOnReturn() {
    if (document.visibilityState !== 'visible' || !view.away) return;
    const { key, at } = view.away;
    if (Date.now() - at < 800) return; // a click that never left the page
    view.away = null;
    const row = view.rows.get(key);
    if (!row || row.item.touch?.outcome) return;
    row.ask = true;
    rebuild(row);
  }
  document.addEventListener('visibilitychange', askOnReturn);
  window.addEventListener('focus', askOnReturn);

  /** lostCommentBox offers a comment that lost the race to a mark for the client's card. */
  function lostCommentBox(row) {
    const add = h('button', {
      type: 'button', class: 'btn btn-small',
      onclick: async () => {
        add.disabled = true;
        try {
          await addComment(row.item.client.id, row.lostComment);
          row.lostComment = '';
          toast(t('lostCommentSaved'), { kind: 'ok' });
          rebuild(row);
        } catch (err) {
          add.disabled = false;
          fail(err);
        }
      },
    }, t('lostCommentToCard'));
    return h('div', { class: 'lost-comment', role: 'status' },
      h('p', { class: 'small' }, t('lostComment'), ' ', h('q', { class: 'state-comment' }, row.lostComment)), add);
  }

  /** showExistingTouch loads the mark that beat ours (missed while realtime was away) onto the row. */
  async function showExistingTouch(row) {
    try {
      const record = await pb.collection('touches').getFirstListItem(
        pb.filter('client = {:client} && occasion = {:occasion} && period = {:period}', { client: row.item.client.id, occasion: view.params.occasion, period: row.item.period ?? '' }),
        { expand: 'author' });
      if (!view.disposed) applyTouch(row, record);
    } catch {
      if (!view.disposed) loadRows({ keepCursor: true });
    }
  }

  /** applyTouch puts a touch record (ours or a colleague's) on its row and moves the counts. */
  function applyTouch(row, record, { deleted = false } = {}) {
    const { item } = row;
    const before = rowState(item);
    if (deleted || record.status === 'withdrawn') {
      if (item.touch?.id !== record.id) return;
      item.touch = null;
      item.state = item.hold ? 'held' : 'pending';
    } else {
      item.touch = {
        id: record.id,
        status: record.status,
        channel: record.channel,
        comment: record.comment,
        author: record.author,
        authorName: record.expand?.author?.name || view.lookups?.userName[record.author] || item.touch?.authorName || '',
        created: record.created,
        outcome: record.outcome || '',
        follow_up: record.follow_up || '',
      };
      item.state = record.status;
    }
    const after = rowState(item);
    const counts = view.data?.counts;
    if (counts && before !== after) {
      if (counts[before] > 0) counts[before] -= 1;
      if (counts[after] !== undefined) counts[after] += 1;
      const id = view.params.occasion;
      if (typeof view.pending[id] === 'number') view.pending[id] += (after === 'pending') - (before === 'pending');
      renderTabs();
      renderOccasions();
      renderStatus();
    }
    rebuild(row);
  }

  function openClient(row) {
    const key = rowKey(row.item);
    setCursor(key, { focus: false });
    openCard(row.item.client.id, {
      onClose: () => setCursor(key),
    });
  }

  // --- realtime --------------------------------------------------------------

  function onTouchEvent(e) {
    const record = e.record;
    if (view.disposed || record.occasion !== view.params.occasion) return;
    const row = view.rows.get(`${record.client}|${record.period ?? ''}`);
    if (!row) {
      // a client not on this page: only the counts may move
      if (e.action === 'create' && view.data?.counts) loadCountsQuietly();
      return;
    }
    if (row.item.period !== undefined && record.period !== row.item.period) return;
    if (e.action === 'delete') {
      applyTouch(row, record, { deleted: true });
      return;
    }
    const same = row.item.touch?.id === record.id && row.item.touch.status === record.status && row.item.touch.comment === record.comment &&
      (row.item.touch.outcome || '') === (record.outcome || '');
    if (same) return;
    applyTouch(row, record);
    row.tr.classList.add('flash');
    if (record.author !== me()?.id) {
      // one quiet running summary, not a notice per mark
      const author = record.expand?.author?.name || view.lookups?.userName[record.author] || '';
      const now = Date.now();
      view.colleagues = now - (view.colleagues?.at ?? 0) < 4000 ? { n: view.colleagues.n + 1, at: now } : { n: 1, at: now };
      const last = t('colleagueMarked', { author, client: row.item.client.name, status: t(`state_${record.status}`) });
      toast(view.colleagues.n === 1 ? last : t('colleaguesMarked', { n: view.colleagues.n, last }), { key: 'colleagues' });
    }
  }

  /** loadCountsQuietly refreshes the tab counts (filtered) and the occasion's pending count (unfiltered). */
  const loadCountsQuietly = debounce(async () => {
    const id = view.params.occasion;
    try {
      const [tabs, all] = await Promise.all([
        api.worklist({ ...view.params, state: 'pending', perPage: 1, page: 1 }),
        filtered() ? api.worklist({ occasion: id, state: 'pending', perPage: 1 }) : null,
      ]);
      if (view.disposed || !view.data || id !== view.params.occasion) return;
      view.data.counts = tabs.counts;
      view.pending[id] = (all || tabs).counts?.pending;
      renderTabs();
      renderOccasions();
    } catch {
      // the next full load shows it
    }
  }, 500);

  /** filtered reports whether a filter narrows the rows (so their counts are not the occasion's). */
  function filtered() {
    return FILTERS.some((k) => view.params[k]);
  }

  let connectedOnce = false;
  function setLive(on) {
    els.live.className = on ? 'live live-on' : 'live live-off';
    els.live.textContent = on ? t('liveOn') : t('liveOff');
  }
  setLive(false);

  let occasionChanged = false;
  function onOccasionEvent(e) {
    occasionChanged ||= e.occasion === view.params.occasion;
    reloadOccasions();
  }
  const reloadOccasions = debounce(() => {
    if (view.disposed) return;
    const rows = occasionChanged;
    occasionChanged = false;
    loadOccasions({ quiet: true, rows });
  }, 400);

  async function subscribe() {
    try {
      // the server's topic for the touches of every client this user may
      // see (checked at each event); author names come from the lookups
      view.unsubs.push(await pb.realtime.subscribe(TOUCHES_TOPIC, onTouchEvent));
      // an occasion (or its text) changed: the picker reloads, the rows too
      // when it is the one on screen (its message or window may differ)
      view.unsubs.push(await pb.realtime.subscribe(OCCASIONS_TOPIC, onOccasionEvent));
      view.unsubs.push(await pb.realtime.subscribe('PB_CONNECT', () => {
        setLive(true);
        clearToasts('error'); // the connection is back: old network errors no longer hold
        if (connectedOnce) loadRows({ keepCursor: true }); // catch up on what happened while offline
        connectedOnce = true;
      }));
      setLive(pb.realtime.isConnected);
      connectedOnce = true;
      pb.realtime.onDisconnect = () => !view.disposed && setLive(false);
    } catch (err) {
      setLive(false);
      if (err?.status === 429) {
        // the server bounds live connections per user: say so instead of "reconnecting" forever
        els.live.textContent = t('liveTooMany');
        els.live.title = t('liveTooManyHint');
      }
      if (err?.status === 401 || err?.status === 403) fail(err);
    }
  }
  if (view.disposed === false) {
    // unsubscribing happens in unmount; a view replaced before this resolves cleans up there too
    subscribe().then(() => view.disposed && view.unsubs.forEach((u) => u().catch?.(() => {})));
  }

  // --- start -------------------------------------------------------------------

  renderHead();
  renderTabs();
  renderFilters();
  loadLookups().then((lk) => {
    if (view.disposed) return;
    view.lookups = lk;
    renderFilters();
    if (view.items.length) renderTable();
  }).catch(fail);
  loadOccasions();

  return {
    update(params) {
      const next = readParams(params);
      const changed = JSON.stringify(next) !== JSON.stringify(view.params);
      view.params = next;
      if (changed && view.ready) {
        renderOccasions();
        renderFilters();
        loadRows();
      }
    },
    unmount() {
      view.disposed = true;
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('visibilitychange', askOnReturn);
      window.removeEventListener('focus', askOnReturn);
      pb.realtime.onDisconnect = undefined;
      for (const u of view.unsubs) Promise.resolve(u()).catch(() => {});
      view.unsubs = [];
    },
  };
}

