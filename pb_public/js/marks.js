// What can be done with a mark after it is made (SPEC §4.7, §4.8): change
// it (done ↔ skipped), withdraw it, and record what came of it (the
// outcome). The worklist rows and the client card use the same controls;
// the server decides (rules and hooks) and its refusal is shown where the
// control is.

import { h } from './dom.js';
import { t, label, parseDate } from './i18n.js';
import { pb, me, isServiceManager, describeError } from './api.js';

export const OUTCOMES = ['replied', 'no_reply', 'not_now', 'declined', 'bought', 'referral'];
/** WITHDRAW_HOURS is how long the author may withdraw a mark (a service manager: any time). */
const WITHDRAW_HOURS = 24;

/** updateTouch changes a touch through the REST API; the server writes the card comment and the holds. */
export function updateTouch(id, body) {
  return pb.collection('touches').update(id, body, { expand: 'author' });
}

/** canWithdraw says whether the page should offer Undo / Withdraw for a touch (the server checks again). */
export function canWithdraw(touch) {
  if (!touch || touch.status === 'withdrawn') return false;
  if (isServiceManager()) return true;
  const created = parseDate(touch.created || touch.at);
  return touch.author === me()?.id && created && Date.now() - created.getTime() < WITHDRAW_HOURS * 3600 * 1000;
}

/** inDays is the day n days from today as YYYY-MM-DD (local). */
function inDays(n) {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * replyButtons offers the outcomes as one tap each; "not now" asks for the
 * day to come back (default 30 days on). answer(outcome, followUp) does the
 * saving and returns a promise; its refusal is shown in the box.
 */
export function replyButtons(answer, { current = '', question = t('didTheyReply'), onLater = null } = {}) {
  const problem = h('span', { class: 'field-error', role: 'alert' });
  const day = h('input', { type: 'date', class: 'follow-up-day', value: inDays(30), min: inDays(1), 'aria-label': t('followUpOn') });
  const notNowBox = h('span', { class: 'not-now', hidden: true }, day,
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => run('not_now', day.value) }, t('save')));
  const box = h('div', { class: 'reply', role: 'group', 'aria-label': question },
    h('span', { class: 'reply-q' }, question),
    OUTCOMES.map((o) => h('button', {
      type: 'button', class: ['btn', 'btn-small', 'btn-outcome', o === current && 'btn-current'], dataset: { outcome: o },
      'aria-pressed': o === current ? 'true' : 'false',
      onclick: () => (o === 'not_now' ? (notNowBox.hidden = false, day.focus()) : run(o, '')),
    }, label('outcome', o))),
    notNowBox,
    onLater ? h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: onLater }, t('later')) : null,
    problem);
  async function run(outcome, followUp) {
    problem.textContent = '';
    box.querySelectorAll('button').forEach((b) => (b.disabled = true));
    try {
      await answer(outcome, followUp);
    } catch (err) {
      const d = describeError(err);
      if (d) problem.textContent = d.detail ? `${d.title}: ${d.detail}` : d.title;
    } finally {
      box.querySelectorAll('button').forEach((b) => (b.disabled = false));
    }
  }
  return box;
}

/**
 * markActions are the controls of a touch already made: its outcome (done
 * marks), change done ↔ skipped, withdraw. changed(record) gets the
 * touch as the server saved it.
 */
export function markActions(touch, changed) {
  const problem = h('span', { class: 'field-error', role: 'alert' });
  const act = (body) => async () => {
    problem.textContent = '';
    try {
      changed(await updateTouch(touch.id, body));
    } catch (err) {
      const d = describeError(err);
      if (d) problem.textContent = d.detail ? `${d.title}: ${d.detail}` : d.title;
    }
  };
  const outcome = touch.status === 'done'
    ? h('details', { class: 'outcome' },
      h('summary', {}, touch.outcome ? `${t('outcome')}: ${label('outcome', touch.outcome)}` : t('didTheyReply')),
      replyButtons(async (o, followUp) => changed(await updateTouch(touch.id, { outcome: o, follow_up: followUp })), { current: touch.outcome, question: t('whatCameOfIt') }))
    : null;
  const withdraw = canWithdraw(touch);
  const mine = withdraw || isServiceManager();
  return h('div', { class: 'mark-actions' },
    outcome,
    mine && touch.status !== 'withdrawn' ? h('button', {
      type: 'button', class: 'btn btn-quiet btn-small',
      onclick: act({ status: touch.status === 'done' ? 'skipped' : 'done' }),
    }, t(touch.status === 'done' ? 'changeToSkipped' : 'changeToDone')) : null,
    withdraw ? h('button', { type: 'button', class: 'btn btn-quiet btn-small btn-withdraw', onclick: act({ status: 'withdrawn' }) }, t('withdraw')) : null,
    problem);
}

