// The occasion editor (service managers): the occasions by state, and one
// occasion with every field of SPEC §3 and its texts per language and
// variant. While typing, the server renders each text for a real client
// (POST /api/touchbase/preview, the worklist's renderer) and words each
// placeholder problem as a save would. Saving goes through the REST API,
// whose rules and hooks decide: a refused field shows the server's message
// at that field.

import { h, replace, option, debounce } from '../dom.js';
import { t, label, fmtDay, fmtNumber } from '../i18n.js';
import { pb, api, loadLookups, describeError } from '../api.js';
import { navigate, toast, fail, errorBox, loadingBox, badge, busy } from '../ui.js';

/** The occasion fields the form edits (SPEC §3), besides the texts. */
const FIELDS = ['title', 'kind', 'category', 'starts', 'ends', 'repeat', 'trigger', 'event_kind', 'offset_days', 'roles', 'segments', 'points', 'template', 'archived'];
const PLACEHOLDERS = ['client', 'contact', 'position', 'manager', 'point', 'years', 'date'];
const GROUPS = ['active', 'planned', 'ended', 'archived'];

/** dayInput is a stored day ("2026-12-20 12:00:00.000Z") as an <input type=date> value. */
const dayInput = (v) => (v ? String(v).slice(0, 10) : '');

/** stateOf groups an occasion: archived, active today (the server says), planned (starts later) or ended. */
function stateOf(o) {
  if (o.archived) return 'archived';
  if (o.active) return 'active';
  const today = new Date().toISOString().slice(0, 10);
  return o.starts && dayInput(o.starts) > today ? 'planned' : 'ended';
}

export function mount(root, { params }) {
  const view = {
    disposed: false, items: [], values: {}, lookups: null,
    id: params.get('occasion') || '', // '' with params new=1: a new occasion
    draft: null, versions: [], removed: [], client: null, previewSeq: 0, unsubs: [],
  };
  const els = {
    list: h('div', { class: 'editor-list' }),
    form: h('div', { class: 'editor-form' }),
  };
  replace(root, h('section', { class: 'page editor', 'aria-labelledby': 'editor-heading' },
    h('h1', { id: 'editor-heading' }, t('editorTitle')),
    h('p', { class: 'muted lead' }, t('editorLead')),
    h('div', { class: 'editor-grid' }, h('aside', {}, els.list), els.form)));

  // --- the list ------------------------------------------------------------

  async function loadList() {
    try {
      const res = await api.occasions({ all: 1 });
      if (view.disposed) return;
      view.items = res.items;
      view.values = res.values;
    } catch (err) {
      if (!view.disposed) replace(els.list, errorBox(err, loadList));
      return;
    }
    renderList();
  }

  function renderList() {
    const byGroup = Object.fromEntries(GROUPS.map((g) => [g, []]));
    for (const item of view.items) byGroup[stateOf(item.occasion)].push(item);
    replace(els.list,
      h('button', { type: 'button', class: 'btn btn-primary editor-new', onclick: () => open('') }, `+ ${t('editorNew')}`),
      GROUPS.filter((g) => byGroup[g].length).map((g) => h('section', { class: 'editor-group' },
        h('h2', {}, `${t(`editorGroup_${g}`)} · ${byGroup[g].length}`),
        h('ul', { class: 'occ-list' }, byGroup[g].map(({ occasion: o, counts }) => h('li', {},
          h('button', {
            type: 'button', class: ['occ', o.id === view.id && 'occ-current', `kind-${o.kind}`],
            'aria-pressed': o.id === view.id ? 'true' : 'false', dataset: { occasion: o.id },
            onclick: () => open(o.id),
          },
          h('span', { class: 'occ-title' }, o.title),
          h('span', { class: 'occ-meta' }, badge(label('kind', o.kind), `kind kind-${o.kind}`),
            h('span', { class: 'muted' }, windowText(o))),
          counts ? h('span', { class: ['count', counts.pending === 0 && 'count-zero'], 'aria-label': t('pendingCount', { n: counts.pending }) }, fmtNumber(counts.pending)) : null)))))));
  }

  function windowText(o) {
    if (o.trigger && o.trigger !== 'none') return label('trigger', o.trigger);
    if (!o.starts && !o.ends) return t('editorAlways');
    return `${o.starts ? fmtDay(o.starts) : '…'} – ${o.ends ? fmtDay(o.ends) : '…'}`;
  }

  // --- one occasion ----------------------------------------------------------

  async function open(id) {
    view.id = id;
    navigate('occasions', id ? { occasion: id } : { new: 1 }, { replace: true });
    renderList();
    replace(els.form, loadingBox());
    try {
      if (id) {
        const [record, versions] = await Promise.all([
          pb.collection('occasions').getOne(id),
          pb.collection('occasion_templates').getFullList({ filter: pb.filter('occasion = {:id} && archived = false', { id }), sort: 'language,variant' }),
        ]);
        view.draft = Object.fromEntries(FIELDS.map((f) => [f, record[f]]));
        view.versions = versions.map((v) => ({ id: v.id, language: v.language, variant: v.variant, weight: v.weight, text: v.text, saved: { ...v } }));
      } else {
        view.draft = { title: '', kind: 'standard', category: 'other', starts: '', ends: '', repeat: 'none', trigger: 'none', event_kind: '', offset_days: 0, roles: [], segments: [], points: [], template: '', archived: false };
        view.versions = (view.values.language || ['ru', 'en']).map((language) => ({ id: '', language, variant: '', weight: 1, text: '' }));
      }
      view.removed = [];
    } catch (err) {
      if (!view.disposed) replace(els.form, errorBox(err, () => open(id)));
      return;
    }
    if (view.disposed) return;
    renderForm();
    schedulePreview();
  }

  /** fieldBox is a labelled control with the place its server error shows. */
  function fieldBox(name, text, control, { key = name, cls = '' } = {}) {
    const inputId = `editor-${key}`;
    if (control instanceof HTMLElement && !control.id) control.id = inputId;
    return h('div', { class: ['field', cls] },
      h('label', { class: 'field-label', for: control.id || inputId }, text),
      control,
      h('span', { class: 'field-error', role: 'alert', dataset: { field: key } }));
  }

  function select(name, values, labelGroup, { rerender = false } = {}) {
    return h('select', { name, onchange: (e) => { view.draft[name] = e.target.value; if (rerender) renderForm(); onEdit(); } },
      values.map((v) => option(v, label(labelGroup, v), view.draft[name])));
  }

  /** checks is a group of checkboxes for a many-valued field; none ticked means "all" / "any". */
  function checks(name, values, labelOf, noneText) {
    const chosen = new Set(view.draft[name] || []);
    return h('fieldset', { class: 'checks', id: `editor-${name}` },
      h('legend', { class: 'field-label' }, t(`editorField_${name}`), h('span', { class: 'muted' }, ` (${noneText})`)),
      values.map((v) => h('label', { class: 'check' },
        h('input', {
          type: 'checkbox', value: v, checked: chosen.has(v),
          onchange: (e) => {
            if (e.target.checked) chosen.add(v); else chosen.delete(v);
            view.draft[name] = values.filter((x) => chosen.has(x));
            onEdit();
          },
        }), ` ${labelOf(v)}`)),
      h('span', { class: 'field-error', role: 'alert', dataset: { field: name } }));
  }

  function textArea(key, value, onInput) {
    const area = h('textarea', { rows: 4, spellcheck: 'true', oninput: (e) => { onInput(e.target.value); onEdit(); } });
    area.value = value || '';
    return area;
  }

  /** placeholderChips insert {{name}} at the cursor of the text area they follow. */
  function placeholderChips(area) {
    return h('div', { class: 'chips', 'aria-label': t('editorPlaceholders') },
      PLACEHOLDERS.map((p) => h('button', {
        type: 'button', class: 'chip', title: t(`placeholder_${p}`),
        onclick: () => {
          const at = area.selectionStart ?? area.value.length;
          area.setRangeText(`{{${p}}}`, at, area.selectionEnd ?? at, 'end');
          area.focus();
          area.dispatchEvent(new Event('input'));
        },
      }, `{{${p}}}`)));
  }

  function renderForm() {
    const d = view.draft;
    const item = view.items.find((i) => i.occasion.id === view.id);
    const v = view.values;
    const points = view.lookups?.points || [];
    const title = h('input', { name: 'title', value: d.title, maxlength: 200, required: true, oninput: (e) => { d.title = e.target.value; onEdit(); } });
    const day = (name) => h('input', { type: 'date', name, value: dayInput(d[name]), onchange: (e) => { d[name] = e.target.value; onEdit(); } });
    const defaultArea = textArea('template', d.template, (text) => { d.template = text; });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('save'));

    const form = h('form', {
      class: 'editor-occasion', novalidate: true,
      onsubmit: (e) => { e.preventDefault(); busy(save, saveAll); },
    },
    h('div', { class: 'editor-head' },
      h('h2', {}, view.id ? d.title || t('editorUntitled') : t('editorNew')),
      item?.counts ? h('p', { class: 'occ-links', 'data-testid': 'editor-counts' },
        ['pending', 'done', 'skipped', 'held'].map((s) => h('span', {}, `${t(`state_${s}`)}: ${fmtNumber(item.counts[s] ?? 0)}`)),
        h('a', { href: `#/worklist?occasion=${encodeURIComponent(view.id)}` }, t('openWorklist'))) : null),
    h('div', { class: 'editor-fields' },
      fieldBox('title', t('editorField_title'), title, { cls: 'field-wide' }),
      fieldBox('kind', t('kind'), select('kind', v.kind || [], 'kind')),
      fieldBox('category', t('category'), select('category', v.category || [], 'category')),
      fieldBox('repeat', t('editorField_repeat'), select('repeat', v.repeat || [], 'repeat')),
      fieldBox('trigger', t('editorField_trigger'), select('trigger', v.trigger || [], 'trigger', { rerender: true })),
      d.trigger === 'event' ? fieldBox('event_kind', t('editorField_event_kind'), select('event_kind', ['', ...(v.event_kind || [])], 'eventKind')) : null,
      d.trigger === 'event' ? fieldBox('offset_days', t('editorField_offset_days'), h('input', {
        type: 'number', name: 'offset_days', min: -365, max: 365, step: 1, value: d.offset_days ?? 0,
        oninput: (e) => { d.offset_days = e.target.value === '' ? 0 : Number(e.target.value); onEdit(); },
      })) : null,
      fieldBox('starts', t('editorField_starts'), day('starts')),
      fieldBox('ends', t('editorField_ends'), day('ends'))),
    checks('points', points.map((p) => p.id), (id) => view.lookups?.pointName[id] || id, t('editorAllPoints')),
    checks('segments', v.segments || [], (s) => s, t('editorAllSegments')),
    checks('roles', v.roles || [], (r) => label('contactRole', r), t('editorAnyRole')),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'archived', checked: Boolean(d.archived), onchange: (e) => { d.archived = e.target.checked; onEdit(); } }), ` ${t('editorField_archived')}`),

    previewClientPicker(),

    h('section', { class: 'editor-texts' },
      h('h3', {}, t('editorTexts')),
      h('p', { class: 'muted small' }, t('editorTextsLead')),
      h('div', { class: 'version', dataset: { version: 'default' } },
        fieldBox('template', t('editorField_template'), defaultArea, { key: 'template' }),
        placeholderChips(defaultArea),
        h('div', { class: 'preview', dataset: { preview: 'default' }, 'aria-live': 'polite' })),
      view.versions.map((ver, i) => versionBox(ver, i)),
      h('button', { type: 'button', class: 'btn', onclick: addVersion }, `+ ${t('editorAddVersion')}`)),

    h('div', { class: 'editor-actions' }, save,
      h('span', { class: 'form-error', role: 'alert' })));
    replace(els.form, form);
  }

  function versionBox(ver, i) {
    const key = `v${i}`;
    const area = textArea(`${key}-text`, ver.text, (text) => { ver.text = text; });
    const lang = h('select', { onchange: (e) => { ver.language = e.target.value; onEdit(); } },
      (view.values.language || []).map((l) => option(l, l.toUpperCase(), ver.language)));
    const variant = h('input', { value: ver.variant, maxlength: 20, size: 6, placeholder: 'A', oninput: (e) => { ver.variant = e.target.value.trim(); onEdit(); } });
    const weight = h('input', { type: 'number', min: 0, step: 1, value: ver.weight, inputmode: 'numeric', oninput: (e) => { ver.weight = e.target.value === '' ? '' : Number(e.target.value); onEdit(); } });
    return h('div', { class: 'version', dataset: { version: String(i) } },
      h('div', { class: 'version-head' },
        fieldBox('language', t('editorField_language'), lang, { key: `${key}-language` }),
        fieldBox('variant', t('editorField_variant'), variant, { key: `${key}-variant` }),
        fieldBox('weight', t('editorField_weight'), weight, { key: `${key}-weight` }),
        h('button', {
          type: 'button', class: 'btn btn-quiet', 'aria-label': t('editorRemoveVersion'),
          onclick: () => { if (ver.id) view.removed.push(ver.id); view.versions.splice(i, 1); renderForm(); schedulePreview(); },
        }, t('editorRemoveVersion'))),
      fieldBox('text', t('editorField_text'), area, { key: `${key}-text` }),
      placeholderChips(area),
      h('div', { class: 'preview', dataset: { preview: String(i) }, 'aria-live': 'polite' }));
  }

  function addVersion() {
    const language = view.versions.at(-1)?.language || view.values.language?.[0] || 'ru';
    view.versions.push({ id: '', language, variant: '', weight: 1, text: '' });
    renderForm();
    schedulePreview();
    els.form.querySelector(`[data-version="${view.versions.length - 1}"] textarea`)?.focus();
  }

  // --- the preview -------------------------------------------------------------

  function previewClientPicker() {
    const list = h('datalist', { id: 'editor-clients' });
    const input = h('input', {
      id: 'editor-client', type: 'search', list: 'editor-clients', autocomplete: 'off',
      value: view.client?.name || '', placeholder: t('editorClientHint'),
      oninput: debounce(async (e) => {
        const q = e.target.value.trim();
        const pick = view.clientChoices?.find((c) => c.label === q);
        if (pick) { view.client = pick; schedulePreview(); return; }
        try {
          const res = await api.clients({ q, perPage: 12 });
          view.clientChoices = res.items.map((c) => ({ id: c.id, name: c.name, label: `${c.name} · ${c.pointName}` }));
          replace(list, view.clientChoices.map((c) => h('option', { value: c.label })));
        } catch (err) { fail(err); }
      }, 250),
    });
    return h('section', { class: 'editor-preview-client' },
      fieldBox('client', t('editorPreviewOn'), input, { key: 'client', cls: 'field-wide' }), list,
      h('p', { class: 'muted small', 'data-testid': 'preview-facts' }));
  }

  function onEdit() {
    clearErrors();
    schedulePreview();
  }

  const schedulePreview = debounce(runPreview, 300);

  async function runPreview() {
    if (view.disposed || !view.draft) return;
    if (!view.client) {
      // a client the occasion is meant for: the first of its worklist, else any
      try {
        const first = (view.id && (await api.worklist({ occasion: view.id, state: 'all', perPage: 1, skipTotal: 1 })).items[0]?.client)
          || (await api.clients({ perPage: 1 })).items[0];
        if (first) view.client = { id: first.id, name: first.name, label: `${first.name} · ${first.pointName}` };
      } catch (err) { fail(err); return; }
      const input = els.form.querySelector('#editor-client');
      if (input && view.client) input.value = view.client.label;
    }
    if (!view.client) return;
    const seq = ++view.previewSeq;
    const d = view.draft;
    const body = {
      client: view.client.id,
      occasion: { id: view.id, repeat: d.repeat, trigger: d.trigger, starts: d.starts, ends: d.ends, roles: d.roles, segments: d.segments, points: d.points },
      template: d.template || '',
      templates: view.versions.map((v) => ({ language: v.language, variant: v.variant, weight: Number(v.weight) || 0, text: v.text || '' })),
    };
    let res;
    try {
      res = await pb.send('/api/touchbase/preview', { method: 'POST', body });
    } catch (err) {
      if (seq === view.previewSeq) fail(err);
      return;
    }
    if (seq !== view.previewSeq || view.disposed) return;
    const facts = els.form.querySelector('[data-testid=preview-facts]');
    if (facts) {
      replace(facts, [
        `${t('editorPreviewLanguage')}: ${res.language ? res.language.toUpperCase() : '—'}`,
        res.contact ? ` · ${t('contact')}: ${res.contact.name}` : ` · ${t('editorNoContact')}`,
        res.date ? ` · ${fmtDay(res.date)}` : '',
        res.targeted ? '' : ` · ${t('editorNotTargeted')}`,
      ].join(''));
    }
    showPreview('default', res.default);
    res.templates.forEach((p, i) => showPreview(String(i), p));
  }

  function showPreview(key, p) {
    const box = els.form.querySelector(`[data-preview="${key}"]`);
    if (!box) return;
    const errorField = key === 'default' ? 'template' : `v${key}-text`;
    const err = els.form.querySelector(`[data-field="${errorField}"]`);
    if (err) err.textContent = p.error || '';
    els.form.querySelector(`[data-field="${errorField}"]`)?.previousElementSibling?.setAttribute('aria-invalid', p.error ? 'true' : 'false');
    replace(box,
      p.chosen ? badge(t('editorChosen'), 'chosen') : null,
      p.message ? h('p', { class: 'preview-text' }, p.message) : h('p', { class: 'muted' }, t('editorEmptyText')),
      p.missing?.length ? h('p', { class: 'muted small' }, t('editorMissing', { names: p.missing.map((m) => `{{${m}}}`).join(', ') })) : null);
  }

  // --- saving ---------------------------------------------------------------------

  function clearErrors() {
    for (const el of els.form.querySelectorAll('.field-error, .form-error')) {
      if (!el.dataset.field?.endsWith('text') && el.dataset.field !== 'template') el.textContent = '';
    }
  }

  /** showErrors puts a refused save's field messages at their fields (prefix: a version's key). */
  function showErrors(err, prefix = '') {
    const d = describeError(err);
    let placed = false;
    for (const [name, e] of Object.entries(err?.response?.data || {})) {
      const el = els.form.querySelector(`[data-field="${prefix}${name}"]`);
      if (el && e?.message) {
        el.textContent = e.message;
        placed = true;
      }
    }
    if (!placed && d) els.form.querySelector('.form-error').textContent = d.detail ? `${d.title}: ${d.detail}` : d.title;
    els.form.querySelector('.field-error:not(:empty)')?.previousElementSibling?.focus();
  }

  async function saveAll() {
    clearErrors();
    const d = view.draft;
    const data = { ...d, starts: d.starts ? dayInput(d.starts) : '', ends: d.ends ? dayInput(d.ends) : '' };
    let record;
    try {
      record = view.id ? await pb.collection('occasions').update(view.id, data) : await pb.collection('occasions').create(data);
    } catch (err) {
      showErrors(err);
      return;
    }
    view.id = record.id;
    // the texts, each through the occasion_templates API; a refused one
    // keeps its place in the form with the server's message at its field
    let failed = false;
    for (const [i, ver] of view.versions.entries()) {
      const body = { occasion: record.id, language: ver.language, variant: ver.variant, weight: ver.weight === '' ? 1 : ver.weight, text: ver.text };
      if (!ver.id && !String(ver.text || '').trim()) continue; // a language left empty: no version
      const unchanged = ver.saved && ['language', 'variant', 'weight', 'text'].every((k) => String(ver.saved[k]) === String(body[k]));
      if (unchanged) continue;
      try {
        const saved = ver.id ? await pb.collection('occasion_templates').update(ver.id, body) : await pb.collection('occasion_templates').create(body);
        Object.assign(ver, { id: saved.id, saved: { ...saved } });
      } catch (err) {
        failed = true;
        showErrors(err, `v${i}-`);
      }
    }
    // a removed text is archived, not deleted: touches keep the version they were given
    for (const id of view.removed.splice(0)) {
      try {
        await pb.collection('occasion_templates').update(id, { archived: true });
      } catch (err) {
        failed = true;
        view.removed.push(id);
        showErrors(err);
      }
    }
    navigate('occasions', { occasion: record.id }, { replace: true });
    await loadList();
    if (!failed) {
      toast(t('editorSaved', { title: record.title }));
      const head = els.form.querySelector('.editor-head h2');
      if (head) head.textContent = record.title;
    }
  }

  // --- start -----------------------------------------------------------------------

  loadLookups().then((lk) => { view.lookups = lk; if (view.draft) renderForm(); schedulePreview(); }).catch(fail);
  loadList().then(() => {
    if (view.disposed) return;
    if (view.id || params.get('new')) open(view.id);
    else if (view.items[0]) open(view.items[0].occasion.id);
    else open('');
  });

  return {
    unmount() {
      view.disposed = true;
    },
  };
}
