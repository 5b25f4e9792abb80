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
/** toast shows a short message; errors stay until closed, others fade after a few seconds. */
export function toast(text, { kind = 'info', detail = '' } = {}) {
  toastRoot ??= document.getElementById('toasts');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': t('close'), onclick: () => item.remove() }, '×');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-text' }, h('strong', {}, text), detail ? h('span', { class: 'toast-detail' }, detail) : null),
    close);
  toastRoot.append(item);
  while (toastRoot.children.length > 4) toastRoot.firstElementChild.remove();
  if (kind !== 'error') setTimeout(() => item.remove(), 4000);
  else setTimeout(() => item.remove(), 15000);
  return item;
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
