// The sign-in form (users collection).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { signIn, describeError } from '../api.js';

export function mount(root, { onSignedIn }) {
  const email = h('input', { id: 'signin-email', type: 'email', name: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'signin-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('signIn'));

  const form = h('form', {
    class: 'signin card-panel',
    'aria-labelledby': 'signin-title',
    onsubmit: async (event) => {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      submit.textContent = t('signingIn');
      try {
        await signIn(email.value.trim(), password.value);
        onSignedIn();
      } catch (err) {
        const d = describeError(err);
        // a failed password sign-in is a 400 with a generic message
        error.textContent = d?.status === 400 ? t('badCredentials') : d?.detail ? `${d.title}: ${d.detail}` : d?.title;
        error.hidden = false;
        password.select();
      } finally {
        submit.disabled = false;
        submit.textContent = t('signIn');
      }
    },
  },
  h('h1', { id: 'signin-title' }, t('signInTitle')),
  h('p', { class: 'muted' }, t('signInLead')),
  h('label', { class: 'field', for: 'signin-email' }, h('span', { class: 'field-label' }, t('email')), email),
  h('label', { class: 'field', for: 'signin-password' }, h('span', { class: 'field-label' }, t('password')), password),
  error,
  submit);

  root.replaceChildren(h('div', { class: 'signin-wrap' },
    h('div', { class: 'signin-brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '✓'), h('span', {}, t('appName')), h('p', { class: 'muted' }, t('tagline'))),
    form));
  email.focus();
  return {};
}
