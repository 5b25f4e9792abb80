// Entry point: the header (role-aware navigation, language, sign-out), the
// hash router that mounts one view at a time, and the session lifecycle.

import { h, replace } from './dom.js';
import { t, lang, setLang, LANGS, label } from './i18n.js';
import { pb, me, isServiceManager, refreshSession, signOut, resetLookups } from './api.js';
import { route, navigate, toast } from './ui.js';
import * as signin from './views/signin.js';
import * as worklist from './views/worklist.js';
import * as due from './views/due.js';
import * as clients from './views/clients.js';
import * as plan from './views/plan.js';
import * as coverage from './views/coverage.js';
import * as occasions from './views/occasions.js';
import * as card from './views/card.js';
import * as followup from './views/followup.js';
import * as effectiveness from './views/effectiveness.js';

/** Views by route name; `roles` limits who sees them in the navigation. */
const VIEWS = {
  worklist: { module: worklist, nav: 'nav_worklist' },
  due: { module: due, nav: 'nav_due' },
  clients: { module: clients, nav: 'nav_clients' },
  plan: { module: plan, nav: 'nav_plan' },
  followup: { module: followup, nav: 'nav_followup' },
  coverage: { module: coverage, nav: 'nav_coverage', roles: ['service_manager'] },
  effectiveness: { module: effectiveness, nav: 'nav_effectiveness', roles: ['service_manager'] },
  occasions: { module: occasions, nav: 'nav_occasions', roles: ['service_manager'] },
  client: { module: card },
};

const header = document.getElementById('top');
const main = document.getElementById('main');
let current = null; // {name, instance}

function allowed(name) {
  const v = VIEWS[name];
  return v && (!v.roles || v.roles.includes(me()?.role));
}

function renderHeader(active) {
  const user = me();
  document.querySelector('.skip-link').textContent = t('skipToContent');
  const langSelect = h('select', {
    id: 'lang', 'aria-label': t('language'),
    onchange: () => { setLang(langSelect.value); render({ force: true }); },
  }, LANGS.map((l) => h('option', { value: l, selected: l === lang }, l.toUpperCase())));

  if (!user) {
    replace(header, h('div', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '✓'), t('appName')),
      h('div', { class: 'top-tools' }, langSelect)));
    return;
  }

  const links = Object.entries(VIEWS)
    .filter(([name, v]) => v.nav && allowed(name))
    .map(([name, v]) => h('li', {}, h('a', { href: `#/${name}`, 'aria-current': name === active ? 'page' : null }, t(v.nav))));
  const point = user.expand?.point?.name || (user.role === 'service_manager' ? t('allPoints') : '');

  replace(header, h('div', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/worklist' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '✓'), t('appName')),
    h('nav', { class: 'mainnav', 'aria-label': t('mainNav') }, h('ul', {}, links)),
    h('div', { class: 'top-tools' },
      h('span', { class: 'whoami', 'data-testid': 'whoami' },
        h('strong', {}, user.name || user.email),
        h('span', { class: 'muted' }, `${label('role', user.role)}${point ? ` · ${point}` : ''}`)),
      langSelect,
      h('button', { type: 'button', class: 'btn btn-quiet', onclick: () => { signOut(); } }, t('signOut')))));
}

/** render mounts the view the address names (sign-in when signed out). */
function render({ force = false } = {}) {
  const { view, params } = route();
  let name = me() ? view : 'signin';
  if (name !== 'signin' && !allowed(name)) name = 'worklist';
  if (me() && view !== name) {
    // a view this user may not open: a fresh worklist, not the old one emptied
    navigate(name, {}, { replace: true });
    force = true;
  }
  if (!force && current?.name === name && current.instance?.update) {
    current.instance.update(params);
    renderHeader(name);
    return;
  }
  current?.instance?.unmount?.();
  current = null;
  card.close();
  renderHeader(name);
  document.title = name === 'signin' ? t('appName') : `${t(VIEWS[name]?.nav || 'cardTitle')} · ${t('appName')}`;
  const ctx = { params, onSignedIn };
  const module = name === 'signin' ? signin : VIEWS[name].module;
  current = { name, instance: module.mount(main, ctx) || {} };
}

function onSignedIn() {
  resetLookups();
  const { view } = route();
  if (!view || view === 'signin') navigate('worklist');
  render({ force: true });
}

window.addEventListener('hashchange', () => render());

window.addEventListener('touchbase:session-ended', () => {
  if (!me()) return;
  signOut();
});

// sign-out here or in another tab (the auth store syncs through localStorage)
let wasSignedIn = Boolean(me());
pb.authStore.onChange(() => {
  const signedIn = Boolean(me());
  if (wasSignedIn && !signedIn) {
    resetLookups();
    render({ force: true });
  }
  wasSignedIn = signedIn;
});

document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

async function boot() {
  try {
    await refreshSession({ force: true });
  } catch (err) {
    // offline: keep the stored session, the views report the network error
    toast(t('err_network'), { kind: 'error' });
  }
  wasSignedIn = Boolean(me());
  render({ force: true });
  // keep the token fresh while the page stays open
  setInterval(() => refreshSession().catch(() => {}), 10 * 60 * 1000);
}

boot();
