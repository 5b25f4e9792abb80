// Shared pieces of the page: hash navigation, toasts, inline errors, small
// widgets. Views import these instead of each other.

import { h, replace } from './dom.js';
import { t, fmtNumber } from './i18n.js';
import { describeError } from './api.js';

/** route reads "#/view?x=1" into {view, params}. */
export function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [view, query = ''] = raw.split('?');
  return { view: view || '', params: new URLSearchParams(query) };
}

/** href builds "#/view?params" leaving out empty params. */
export function href(view, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** navigate goes to a view (a new history entry) or, with replace, only rewrites the address (no re-render). */
export function navigate(view, params = {}, { replace: rewrite = false } = {}) {
  const target = href(view, params);
  if (rewrite) history.replaceState(null, '', target);
  else location.hash = target;
}

let toastRoot;
/**
 * toast shows a short message; errors stay 15 s, others fade after a few
 * seconds (ms). action ({label, run}) adds a button (e.g. Undo) that runs
 * once and closes the notice; key replaces an earlier notice with the same
 * key instead of stacking another (a running summary). Notices move out of
 * the way of the active row (placeToasts).
 */
export function toast(text, { kind = 'info', detail = '', action = null, key = '', ms = 0 } = {}) {
  toastRoot ??= document.getElementById('toasts');
  if (key) toastRoot.querySelector(`[data-key="${CSS.escape(key)}"]`)?.remove();
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': t('close'), onclick: () => item.remove() }, '×');
  const button = action ? h('button', {
    type: 'button', class: 'btn btn-small toast-action',
    onclick: () => { item.remove(); action.run(); },
  }, action.label) : null;
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', dataset: key ? { key } : null },
    h('div', { class: 'toast-text' }, h('strong', {}, text), detail ? h('span', { class: 'toast-detail' }, detail) : null),
    button, close);
  toastRoot.append(item);
  while (toastRoot.children.length > 3) toastRoot.firstElementChild.remove();
  setTimeout(() => item.remove(), ms || (kind === 'error' ? 15000 : action ? 8000 : 4000));
  placeToasts();
  return item;
}

window.addEventListener('scroll', () => placeToasts(), { passive: true });
window.addEventListener('resize', () => placeToasts(), { passive: true });

/** clearToasts removes the notices of a kind (e.g. the errors once the connection is back). */
export function clearToasts(kind) {
  toastRoot?.querySelectorAll(`.toast-${kind}`).forEach((el) => el.remove());
}

/**
 * placeToasts keeps the notices off the active row (.row-cursor): when
 * they would cover it at the bottom of the screen, they go to the top.
 */
export function placeToasts() {
  if (!toastRoot?.children.length) return;
  const active = document.querySelector('.row-cursor');
  toastRoot.classList.remove('toasts-top');
  if (!active) return;
  const a = active.getBoundingClientRect();
  const n = toastRoot.getBoundingClientRect();
  if (a.bottom > n.top && a.top < n.bottom) toastRoot.classList.add('toasts-top');
}

/**
 * counter shows "n / max" under a text control once its text nears max,
 * so nothing is cut without warning.
 */
export function counter(control, max) {
  const out = h('span', { class: 'counter', 'aria-live': 'polite' });
  const update = () => {
    const n = control.value.length;
    out.textContent = n >= max * 0.8 ? t('charsLeft', { n: fmtNumber(n), max: fmtNumber(max) }) : '';
    out.classList.toggle('counter-full', n >= max);
  };
  control.addEventListener('input', update);
  update();
  return out;
}

/** fail reports an API error; an ended session signs the user out. Returns the description (null if cancelled). */
export function fail(err) {
  const d = describeError(err);
  if (!d) return null;
  if (d.status === 401) {
    window.dispatchEvent(new CustomEvent('touchbase:session-ended'));
  }
  toast(d.title, { kind: 'error', detail: d.detail });
  return d;
}

/** errorBox is an inline error with an optional retry button. */
export function errorBox(err, retry) {
  const d = describeError(err) || { title: String(err?.message || err) };
  if (d.status === 401) window.dispatchEvent(new CustomEvent('touchbase:session-ended'));
  return h('div', { class: 'error-box', role: 'alert' },
    h('p', {}, h('strong', {}, d.title), d.detail ? ` ${d.detail}` : ''),
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, t('retry')) : null);
}

export function loadingBox() {
  return h('p', { class: 'loading', role: 'status' }, t('loading'));
}

/** badge is a small label; cls picks the colour. */
export function badge(text, cls = '', title) {
  if (!text) return null;
  return h('span', { class: ['badge', cls], title }, text);
}

/** bar shows done of total as a bar with the numbers next to it. */
export function bar(done, total, { extra = null } = {}) {
  const pct = total > 0 ? Math.round((100 * done) / total) : 0;
  return h('span', { class: 'bar-wrap' },
    h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill', style: `width:${pct}%` })),
    h('span', { class: 'bar-text' }, `${t('coverageOf', { done: fmtNumber(done), total: fmtNumber(total) })} · ${pct}%`),
    extra);
}

/** field wraps a control with its visible label. */
export function field(labelText, control, cls = '') {
  return h('label', { class: ['field', cls] }, h('span', { class: 'field-label' }, labelText), control);
}

/** setBusy disables a button while a promise runs. */
export async function busy(button, fn) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export { replace };
