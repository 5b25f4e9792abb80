// The PocketBase client and the calls the page makes: the SDK does sign-in,
// token refresh, CRUD and realtime; this module adds the custom routes
// (SPEC §6) and turns every error into a message a manager can act on.

import PocketBase, { getTokenPayload } from '../vendor/pocketbase.es.mjs';
import { t, lang } from './i18n.js';

export const pb = new PocketBase(location.origin);

/** The server's realtime topics: the touches and comments of every client the signed-in user may see. */
export const TOUCHES_TOPIC = 'touchbase/touches';
export const COMMENTS_TOPIC = 'touchbase/comments';
/** The server's topic that names an occasion the user may see when it or its texts changed. */
export const OCCASIONS_TOPIC = 'touchbase/occasions';
// The page tracks stale responses itself; the SDK's auto-cancellation would
// cancel parallel calls to the same route (e.g. pending counts).
pb.autoCancellation(false);
// the server words its errors in the page's language (SPEC §6), not the browser's
pb.beforeSend = (url, options) => {
  options.headers = { ...options.headers, 'Accept-Language': lang };
  return { url, options };
};

/** me is the signed-in staff user, or null. */
export function me() {
  const record = pb.authStore.record;
  return pb.authStore.isValid && record?.collectionName === 'users' ? record : null;
}

export const isServiceManager = () => me()?.role === 'service_manager';

/** signIn authenticates a staff user and loads their point. */
export async function signIn(email, password) {
  const auth = await pb.collection('users').authWithPassword(email, password, { expand: 'point' });
  if (!auth.record.role) {
    pb.authStore.clear();
    throw new Error(t('notStaff'));
  }
  return auth.record;
}

export function signOut() {
  pb.realtime.unsubscribe().catch(() => {});
  pb.authStore.clear();
}

/**
 * refreshSession renews the token (and the user's role and point) when the
 * page opens and whenever less than a day of validity is left; a token the
 * server no longer accepts signs the user out.
 */
export async function refreshSession({ force = false } = {}) {
  if (!me()) return null;
  const exp = getTokenPayload(pb.authStore.token).exp ?? 0;
  if (!force && exp * 1000 - Date.now() > 24 * 3600 * 1000) return me();
  try {
    await pb.collection('users').authRefresh({ expand: 'point' });
  } catch (err) {
    if (err?.status === 401 || err?.status === 403 || err?.status === 404) pb.authStore.clear();
    else throw err;
  }
  return me();
}

/** get calls a custom route under /api/touchbase/ with query params (empty ones left out). */
export function get(path, query = {}) {
  const params = {};
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params[k] = v;
  }
  return pb.send(`/api/touchbase/${path}`, { method: 'GET', query: params });
}

export const api = {
  occasions: (query) => get('occasions', query),
  worklist: (query) => get('worklist', query),
  due: (query) => get('due', query),
  clients: (query) => get('clients', query),
  plan: (query) => get('plan', query),
  stats: (query) => get('stats', query),
  timeline: (clientId) => get(`clients/${encodeURIComponent(clientId)}/timeline`),
};

/** markTouch records a done / skipped touch (optionally with its outcome); the server sets author and period and writes the card comment. */
export function markTouch({ client, contact, occasion, status, channel, comment, outcome, followUp }) {
  const body = { client, occasion, status, comment: comment || '' };
  if (contact) body.contact = contact;
  if (channel) body.channel = channel;
  if (outcome) body.outcome = outcome; // what came of it, with the mark in one request
  if (followUp) body.follow_up = followUp;
  return pb.collection('touches').create(body, { expand: 'author' });
}

export function addComment(client, text) {
  return pb.collection('comments').create({ client, text }, { expand: 'author' });
}

/** Reference lists for filters, loaded once per sign-in. */
let lookups = null;
export function loadLookups() {
  lookups ??= (async () => {
    const [points, users, clients] = await Promise.all([
      pb.collection('points').getFullList({ sort: 'name', fields: 'id,name,timezone' }),
      pb.collection('users').getFullList({ sort: 'name', fields: 'id,name,role,point' }),
      pb.collection('clients').getFullList({ fields: 'tags', batch: 1000 }),
    ]);
    const tags = new Set();
    for (const c of clients) for (const tag of Array.isArray(c.tags) ? c.tags : []) if (tag) tags.add(String(tag));
    return {
      points,
      pointName: Object.fromEntries(points.map((p) => [p.id, p.name])),
      users,
      userName: Object.fromEntries(users.map((u) => [u.id, u.name])),
      managers: users.filter((u) => u.role === 'point_manager'),
      tags: [...tags].sort((a, b) => a.localeCompare(b)),
    };
  })();
  lookups.catch(() => (lookups = null));
  return lookups;
}
export function resetLookups() {
  lookups = null;
}

/** Error codes in PocketBase's field errors that get their own headline. */
const CODE_TITLES = {
  validation_already_touched: 'err_alreadyTouched',
  validation_client_held: 'err_held',
  validation_not_eligible: 'err_notEligible',
};

/**
 * describeError turns an SDK error into {title, detail, status, code} for
 * display, using the server's own message (it names who, when and why).
 * Returns null for cancelled requests.
 */
export function describeError(err) {
  if (!err) return null;
  if (err.isAbort) return null;
  const status = err.status ?? 0;
  const response = err.response || {};
  const fields = Object.entries(response.data || {}).filter(([, v]) => v && typeof v === 'object' && v.message);
  const code = fields[0]?.[1]?.code || '';
  const fieldText = fields.map(([, v]) => v.message).join(' ');
  const message = fieldText || response.message || (status ? '' : err.message) || '';
  switch (true) {
    case status === 0 && !response.message:
      return { status, code, title: err instanceof Error && !('status' in err) ? err.message : t('err_network'), detail: '' };
    case status === 401:
      return { status, code, title: t('err_session'), detail: '' };
    case status === 403:
      return { status, code, title: t('err_forbidden'), detail: message };
    case status === 404:
      return { status, code, title: t('err_notFound'), detail: '' };
    case status === 429:
      return { status, code, title: t('err_tooMany'), detail: '' };
    case status === 501:
      return { status, code, title: t('err_notReady'), detail: '' };
    case status >= 500:
      return { status, code, title: t('err_server'), detail: '' };
    default:
      return { status, code, title: t(CODE_TITLES[code] || 'err_badRequest'), detail: message };
  }
}

/** errorText is describeError as one line. */
export function errorText(err) {
  const d = describeError(err);
  if (!d) return '';
  return d.detail ? `${d.title}: ${d.detail}` : d.title;
}
