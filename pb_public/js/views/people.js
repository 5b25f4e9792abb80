// The people at a client, on the card: primary first, then by name, with
// role, position, birthday, language and handles; the point's managers add,
// edit and archive them inline. What a user may do is the server's answer
// (the contacts collection's rules): a refused save shows the server's
// message at the field it names.

import { h, replace, option } from '../dom.js';
import { t, label, fmtDay } from '../i18n.js';
import { pb } from '../api.js';
import { toast, fail, errorBox, loadingBox, badge, busy } from '../ui.js';

const ROLES = ['decision_maker', 'influencer', 'user', 'technical', 'finance', 'assistant', 'other'];
const CHANNELS = ['telegram', 'whatsapp', 'email', 'phone', 'meeting', 'other'];
const LANGUAGES = ['ru', 'en'];

/** renderPeople fills root with the client's people and keeps it current. */
export function renderPeople(root, clientId) {
  let people = [];
  let editing = null; // a contact id, 'new', or null

  async function load() {
    try {
      people = await pb.collection('contacts').getFullList({
        filter: pb.filter('client = {:client} && archived = false', { client: clientId }),
        sort: '-primary,name',
      });
    } catch (err) {
      replace(root, errorBox(err, () => load()));
      return;
    }
    render();
  }

  function render() {
    replace(root,
      people.length ? h('ul', { class: 'people' }, people.map((p) => h('li', { class: 'person', dataset: { contact: p.id } },
        editing === p.id ? form(p) : person(p)))) : h('p', { class: 'muted' }, t('noPeople')),
      editing === 'new' ? form(null) : h('button', {
        type: 'button', class: 'btn btn-quiet add-person', onclick: () => { editing = 'new'; render(); focusForm(); },
      }, `+ ${t('addPerson')}`));
  }

  function person(p) {
    const facts = [
      p.position,
      p.birthday ? `${t('birthday')}: ${fmtDay(p.birthday, { day: 'numeric', month: 'long' })}` : '',
      p.language ? p.language.toUpperCase() : '',
    ].filter(Boolean).join(' · ');
    const handles = [
      p.phone && h('a', { href: `tel:${p.phone}` }, p.phone),
      p.whatsapp && h('a', { href: `https://wa.me/${p.whatsapp.replace(/^\+/, '')}`, target: '_blank', rel: 'noopener noreferrer' }, `WhatsApp ${p.whatsapp}`),
      p.telegram && h('a', { href: `https://t.me/${p.telegram.replace(/^@/, '')}`, target: '_blank', rel: 'noopener noreferrer' }, p.telegram),
      p.email && h('a', { href: `mailto:${p.email}` }, p.email),
    ].filter(Boolean);
    return [
      h('div', { class: 'person-head' },
        h('strong', { class: 'person-name' }, p.name),
        p.primary ? badge(t('primaryContact'), 'primary') : null,
        p.role ? badge(label('contactRole', p.role), 'role') : null,
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': t('editPerson', { name: p.name }), onclick: () => { editing = p.id; render(); focusForm(); } }, t('edit'))),
      facts ? h('div', { class: 'muted small' }, facts) : null,
      handles.length ? h('div', { class: 'handles' }, handles.map((a) => [a, ' '])) : null,
      p.notes ? h('div', { class: 'small' }, p.notes) : null,
    ];
  }

  function focusForm() {
    root.querySelector('form.person-form input[name=name]')?.focus();
  }

  /** form edits p (null: a new person); the server's field errors show at their fields. */
  function form(p) {
    const id = p?.id || 'new';
    const field = (name, text, control) => h('label', { class: 'field', for: `person-${id}-${name}` },
      h('span', { class: 'field-label' }, text), control, h('span', { class: 'field-error', dataset: { field: name }, role: 'alert' }));
    const input = (name, attrs = {}) => h('input', { id: `person-${id}-${name}`, name, value: p?.[name] ?? '', ...attrs });
    const select = (name, values, labelOf) => h('select', { id: `person-${id}-${name}`, name },
      option('', '—', p?.[name]), values.map((v) => option(v, labelOf(v), p?.[name])));
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('save'));
    const el = h('form', {
      class: 'person-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const data = Object.fromEntries(new FormData(el).entries());
        data.primary = el.elements.primary.checked;
        if (!p) data.client = clientId;
        for (const span of el.querySelectorAll('.field-error')) span.textContent = '';
        await busy(save, async () => {
          try {
            if (p) await pb.collection('contacts').update(p.id, data);
            else await pb.collection('contacts').create(data);
            editing = null;
            toast(t('personSaved'), { kind: 'ok' });
            await load();
          } catch (err) {
            if (!showFieldErrors(el, err)) fail(err);
          }
        });
      },
    },
    field('name', t('personName'), input('name', { required: true, maxlength: '200', autocomplete: 'off' })),
    field('role', t('personRole'), select('role', ROLES, (v) => label('contactRole', v))),
    field('position', t('position'), input('position', { maxlength: '200' })),
    field('birthday', t('birthday'), input('birthday', { type: 'date', value: (p?.birthday || '').slice(0, 10) })),
    field('language', t('language'), select('language', LANGUAGES, (v) => v.toUpperCase())),
    field('channel', t('channel'), select('channel', CHANNELS, (v) => label('channel', v))),
    field('phone', t('phone'), input('phone', { type: 'tel', autocomplete: 'off' })),
    field('whatsapp', 'WhatsApp', input('whatsapp', { type: 'tel', autocomplete: 'off' })),
    field('telegram', 'Telegram', input('telegram', { autocomplete: 'off' })),
    field('email', t('email'), input('email', { type: 'email', autocomplete: 'off' })),
    field('notes', t('notes'), h('textarea', { id: `person-${id}-notes`, name: 'notes', rows: '2' }, p?.notes || '')),
    h('div', { class: 'check' },
      h('label', {}, h('input', { type: 'checkbox', name: 'primary', checked: Boolean(p?.primary) }), ` ${t('primaryContact')}`),
      h('span', { class: 'field-error', dataset: { field: 'primary' }, role: 'alert' })),
    h('div', { class: 'form-actions' },
      save,
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { editing = null; render(); } }, t('cancel')),
      p ? h('button', {
        type: 'button', class: 'btn btn-quiet danger',
        onclick: async (e) => busy(e.currentTarget, async () => {
          try {
            await pb.collection('contacts').update(p.id, { archived: true });
            editing = null;
            toast(t('personArchived', { name: p.name }), { kind: 'ok' });
            await load();
          } catch (err) {
            fail(err);
          }
        }),
      }, t('archivePerson')) : null));
    return el;
  }

  replace(root, loadingBox());
  load();
  return { reload: load };
}

/** showFieldErrors puts a 400's per-field messages next to their fields; false when there were none to show. */
function showFieldErrors(form, err) {
  const fields = err?.response?.data || err?.data?.data || {};
  let shown = false;
  for (const [name, problem] of Object.entries(fields)) {
    const span = form.querySelector(`.field-error[data-field="${CSS.escape(name)}"]`);
    if (span && problem?.message) {
      span.textContent = problem.message;
      shown = true;
    }
  }
  if (shown) form.querySelector('.field-error:not(:empty)')?.closest('.field')?.querySelector('input,select,textarea')?.focus();
  return shown;
}
