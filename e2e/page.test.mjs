// End-to-end tests of the manager page (SPEC §8) in headless Chromium:
// the real binary with the demo data, real sign-ins, real realtime.
// Run with e2e/run.sh (it builds the binary and sets TOUCHBASE_BIN).

import { describe, it as baseIt, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, rest, screenshot, rowNames, USERS, OUT, ROOT, tracked } from './harness.mjs';

let server;
let browser;
let api; // REST clients per demo user
let occasion; // the occasion the marking tests use
const { pages, open, it } = tracked(() => browser, baseIt);
const row = (page, clientId) => page.locator(`tr.row[data-client="${clientId}"]`);
const waitRows = (page) => page.locator('tr.row').first().waitFor();

/** pendingClients returns n pending clients of the occasion for a user, each used by one test only. */
const taken = new Set();
async function pendingClients(user, n, { withLinks = false } = {}) {
  const res = await api[user].get(`/api/touchbase/worklist?occasion=${occasion.id}&state=pending&perPage=200`);
  const picked = res.items.filter((i) => !withLinks || Object.keys(i.links || {}).some((ch) => ch !== 'phone'))
    .map((i) => i.client).filter((c) => !taken.has(c.id)).slice(0, n);
  assert.equal(picked.length, n, `need ${n} pending clients for ${user}`);
  picked.forEach((c) => taken.add(c.id));
  return picked;
}

/** worklistFor opens the worklist narrowed to one client by search, so the row is on screen. */
async function worklistFor(page, client, extra = '') {
  await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}&q=${encodeURIComponent(client.name)}${extra}`);
  await row(page, client.id).waitFor();
}

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  api = Object.fromEntries(await Promise.all(Object.entries(USERS).map(async ([k, email]) => [k, await rest(server.url, email)])));
  // the first active standard occasion for everybody: the one the page opens with
  const list = await api.olga.get('/api/collections/occasions/records?perPage=200&filter=' + encodeURIComponent('archived=false && points:length=0 && kind="standard" && trigger="none"'));
  for (const o of list.items) {
    const w = await api.olga.get(`/api/touchbase/worklist?occasion=${o.id}&state=pending&perPage=1`);
    if (w.occasion.active && w.counts.pending >= 10) {
      occasion = o;
      break;
    }
  }
  assert.ok(occasion, 'the demo has an active standard occasion with pending clients');
});

after(async () => {
  for (const page of pages) {
    assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
  }
  await browser?.close();
  await server?.stop();
});

describe('sign-in and scope', () => {
  it('a point manager sees only the clients of their own point', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await waitRows(page);

    const who = await page.locator('[data-testid=whoami]').textContent();
    assert.match(who, /Ольга Смирнова/);
    assert.match(who, /Москва — Центр/);
    const nav = await page.locator('nav.mainnav').textContent();
    assert.match(nav, /Worklist/);
    assert.match(nav, /Due/);
    assert.doesNotMatch(nav, /Coverage|Dashboard/, 'no service-manager navigation');

    // every row is a client of Olga's point, and there are rows
    const all = await api.service.get('/api/collections/clients/records?perPage=500&fields=id,name,point');
    const point = api.olga.user.point;
    const own = new Set(all.items.filter((c) => c.point === point).map((c) => c.id));
    const ids = await page.locator('tr.row').evaluateAll((trs) => trs.map((tr) => tr.dataset.client));
    assert.ok(ids.length >= 10, `rows shown: ${ids.length}`);
    for (const id of ids) assert.ok(own.has(id), `row ${id} belongs to Olga's point`);

    // searching a London client finds nothing; a Moscow client is found (Cyrillic, any case)
    const london = all.items.find((c) => c.point !== point && /^[A-Z]/.test(c.name));
    await page.locator('#wl-q').fill(london.name);
    await page.locator('.empty').waitFor();
    assert.equal(await page.locator('tr.row').count(), 0, `${london.name} must not be visible to Olga`);

    const moscow = all.items.find((c) => own.has(c.id) && /«[А-ЯЁ]/.test(c.name) && ids.includes(c.id));
    const word = moscow.name.match(/«([^»]+)»/)[1].slice(0, 6).toLowerCase();
    await page.locator('#wl-q').fill(word);
    await row(page, moscow.id).waitFor();
    for (const name of await rowNames(page)) assert.ok(name.toLowerCase().includes(word), `${name} matches ${word}`);

    // another point's client card and the service-manager views stay closed
    await page.goto(`${server.url}/#/client?id=${london.id}`);
    await page.locator('.error-box').waitFor();
    assert.match(await page.locator('.error-box').textContent(), /Not found/);
    await page.goto(`${server.url}/#/coverage`);
    await page.waitForFunction(() => location.hash.startsWith('#/worklist'));
  });

  it('a service manager sees every point and the coverage per point', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.service);
    await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}`);
    await waitRows(page);
    const nav = await page.locator('nav.mainnav').textContent();
    assert.match(nav, /Coverage/);
    assert.doesNotMatch(nav, /Dashboard|Админка/, 'no link to the superusers\' dashboard, which refuses staff');
    assert.match(await page.locator('[data-testid=whoami]').textContent(), /Service manager/);

    // the point filter narrows to London: only London rows
    const london = (await api.service.get('/api/collections/points/records?filter=' + encodeURIComponent('name="London"'))).items[0];
    await page.locator('#wl-point').selectOption(london.id);
    await page.waitForFunction(() => location.hash.includes('point='));
    await page.locator('tr.row').first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('tr.row .sub')].every((el) => el.textContent.includes('London')));
    const subs = await page.locator('tr.row .sub').allTextContents();
    assert.ok(subs.length > 0 && subs.every((s) => s.includes('London')), 'only London rows');

    await page.locator('nav.mainnav a', { hasText: 'Coverage' }).click();
    await page.locator('#coverage-occasion').selectOption(occasion.id); // one that targets every point
    await page.waitForFunction((id) => location.hash.includes(id), occasion.id);
    await page.waitForFunction(() => document.querySelectorAll('table[data-table=points] tbody th').length === 3);
    const points = await page.locator('table[data-table=points] tbody th').allTextContents();
    assert.deepEqual([...points].sort(), ['London', 'Москва — Центр', 'Санкт-Петербург'].sort());
    assert.equal(await page.locator('a[href^="/_/"]').count(), 0, 'no link into the superusers\' dashboard');
    await screenshot(page, 'coverage-en');
  });
});

describe('marking', () => {
  it('done with a comment shows up in the client card, and the counts move', async () => {
    const [client] = await pendingClients('olga', 1);
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await worklistFor(page, client);

    const r = row(page, client.id);
    assert.match(await r.locator('.msg').textContent(), new RegExp(client.contact_name.split(' ')[0]), 'personalised message');
    assert.equal(await page.locator('[data-count=pending]').textContent(), '1');
    const sideCount = page.locator(`.occ[data-occasion="${occasion.id}"] .count`);
    await sideCount.waitFor();
    const pendingBefore = Number(await sideCount.textContent());
    assert.ok(pendingBefore > 1, 'the occasion list counts the whole occasion, not the search');
    const note = `Sent the article, asked about Q1 (e2e ${Date.now()})`;
    await r.locator('input.comment').fill(note);
    await r.locator('.btn-done').click();
    await page.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor();
    assert.match(await row(page, client.id).locator('.state-line').textContent(), /Done by you/);
    assert.equal(await page.locator('[data-count=pending]').textContent(), '0');
    assert.equal(await page.locator('[data-count=done]').textContent(), '1');
    assert.equal(Number(await sideCount.textContent()), pendingBefore - 1);

    // the card's timeline has the touch with the comment
    await row(page, client.id).locator('.client-name').click();
    const dialog = page.locator('dialog#card[open]');
    await dialog.locator('.timeline').waitFor();
    assert.equal(await dialog.locator('#card-title').textContent(), client.name);
    const touch = dialog.locator('li[data-type=touch]').first();
    assert.match(await touch.textContent(), new RegExp(note.replace(/[()]/g, '\\$&')));
    assert.match(await touch.textContent(), /Ольга Смирнова/);

    // a manual comment from the card lands on the timeline too
    await dialog.locator('#card-comment').fill('Prefers calls after 15:00');
    await dialog.locator('form.add-comment button[type=submit]').click();
    await dialog.locator('li[data-type=comment]', { hasText: 'Prefers calls after 15:00' }).waitFor();
    await screenshot(page, 'card-en');
    await page.keyboard.press('Escape');
    await page.locator('dialog#card[open]').waitFor({ state: 'detached' });

    // the server agrees: one touch by Olga with the comment
    const touches = await api.service.get(`/api/collections/touches/records?filter=${encodeURIComponent(`client="${client.id}" && occasion="${occasion.id}"`)}`);
    assert.equal(touches.totalItems, 1);
    assert.equal(touches.items[0].author, api.olga.user.id);
    assert.equal(touches.items[0].comment, note);
  });

  it('a colleague sees the row change live, marked from the keyboard', async (t) => {
    const [client] = await pendingClients('olga', 1);
    const [a, b] = [await open(), await open()];
    await Promise.all([signIn(a, server.url, USERS.dmitry), signIn(b, server.url, USERS.olga)]);
    await Promise.all([worklistFor(a, client), worklistFor(b, client)]);
    await b.locator('.live.live-on').waitFor();
    await b.evaluate(() => (window.notReloaded = true));

    // Dmitry: select the row, d, type the reason, Enter
    await row(a, client.id).locator('.msg').click();
    await a.keyboard.press('d');
    await row(a, client.id).locator('input.comment:focus').waitFor();
    await a.keyboard.type('Called, will order in January');
    const created = a.waitForResponse((res) => res.url().includes('/api/collections/touches/records') && res.request().method() === 'POST');
    await a.keyboard.press('Enter');
    assert.equal((await created).status(), 200);
    const marked = Date.now();

    // Olga's page changes within a second, without a reload
    await b.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor({ timeout: 1000 });
    const latency = Date.now() - marked;
    t.diagnostic(`live update ${latency} ms after the mark was saved`);
    assert.ok(latency < 1000, `live update took ${latency} ms`);
    assert.match(await row(b, client.id).locator('.state-line').textContent(), /Дмитрий Орлов/);
    assert.match(await row(b, client.id).locator('.state-line').textContent(), /Called, will order in January/);
    assert.equal(await b.locator('[data-count=pending]').textContent(), '0');
    assert.equal(await b.evaluate(() => window.notReloaded), true);
    assert.equal(await row(b, client.id).locator('.btn-done').count(), 0, 'no Done button on a marked row');
  });

  it('a duplicate mark shows the server\'s message naming who marked it and when', async () => {
    const [client] = await pendingClients('olga', 1);
    const page = await open();
    // no realtime for this page, so it still shows the row as pending when Dmitry marks it
    await page.context().route('**/api/realtime', (route) => route.abort());
    await signIn(page, server.url, USERS.olga);
    await worklistFor(page, client);

    await api.dmitry.post('/api/collections/touches/records', { client: client.id, occasion: occasion.id, status: 'done', channel: 'phone', comment: 'by phone' });
    await row(page, client.id).locator('.btn-done').click();
    const toast = page.locator('.toast-error');
    await toast.waitFor();
    const text = await toast.textContent();
    assert.match(text, /Already marked/);
    assert.match(text, /already touched/);
    assert.match(text, /Дмитрий Орлов/);
    assert.match(text, /\d{2}:\d{2}/, 'names the time');
    // and the row now shows Dmitry's mark
    await page.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor();
    assert.match(await row(page, client.id).locator('.state-line').textContent(), /Дмитрий Орлов/);
    await screenshot(page, 'duplicate-en');
  });

  it('skip with a reason, from the keyboard (s, Enter)', async () => {
    const [client] = await pendingClients('olga', 1);
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await worklistFor(page, client);
    await row(page, client.id).locator('.msg').click();
    await page.keyboard.press('s');
    await page.keyboard.type('On vacation until Monday');
    await page.keyboard.press('Enter');
    await page.locator(`tr.row[data-client="${client.id}"][data-state=skipped]`).waitFor();
    const touches = await api.olga.get(`/api/collections/touches/records?filter=${encodeURIComponent(`client="${client.id}"`)}`);
    assert.equal(touches.items.find((t) => t.occasion === occasion.id)?.status, 'skipped');
  });
});

describe('views', () => {
  it('Due shows the cadence queue with levels; Plan shows the months ahead', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/due`);
    await page.locator('.due-rows tbody tr').first().waitFor();
    const levels = await page.locator('.due-rows tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.level));
    assert.ok(levels.length > 0 && levels.every((l) => l === 'due' || l === 'overdue'), `levels: ${[...new Set(levels)]}`);
    await page.locator('button[data-level=ok]').click();
    await page.waitForFunction(() => [...document.querySelectorAll('.due-rows tbody tr')].every((tr) => tr.dataset.level === 'ok'));
    await screenshot(page, 'due-en');

    await page.locator('nav.mainnav a', { hasText: 'Plan' }).click();
    await page.locator('section.plan-month').first().waitFor();
    assert.ok(await page.locator('section.plan-month').count() >= 6, 'six months planned');
    assert.match(await page.locator('.month-title').first().textContent(), /\w+ 20\d\d/);
    assert.ok(await page.locator('.plan-item .bar-text').count() > 0, 'coverage per item');
    await screenshot(page, 'plan-en');
  });

  it('Clients: find any client of the point by name in another case, open the card', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    const all = await api.olga.get('/api/touchbase/clients?perPage=500');
    assert.ok(all.totalItems > 50, `olga's point has clients (${all.totalItems})`);
    const target = all.items[Math.floor(all.items.length / 2)];
    await page.locator('nav.mainnav a', { hasText: 'Clients' }).click();
    await page.locator('.clients-rows tbody tr').first().waitFor();
    const first = await page.locator('.clients-rows .client-name').first().textContent();
    assert.equal(first, all.items[0].name, 'sorted by name');
    // the middle of the name, upper-cased (Cyrillic folds too)
    const words = target.name.split(/\s+/);
    await page.locator('#clients-q').fill(words[words.length - 1].toUpperCase());
    const word = words[words.length - 1];
    await page.waitForFunction(({ name, word }) => {
      const names = [...document.querySelectorAll('.clients-rows .client-name')].map((b) => b.textContent);
      return names.includes(name) && names.every((n) => n.toLowerCase().includes(word.toLowerCase()));
    }, { name: target.name, word });
    await screenshot(page, 'clients-en');
    await page.locator('.clients-rows .client-name', { hasText: target.name }).first().click();
    const dialog = page.locator('dialog#card[open]');
    await dialog.waitFor();
    assert.equal(await dialog.locator('#card-title').textContent(), target.name);
  });

  it('the worklist at desktop size (screenshot for the docs)', async () => {
    const page = await open({ viewport: { width: 1440, height: 1000 } });
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}`);
    await waitRows(page);
    await page.locator('.live.live-on').waitFor();
    // mark the first row from the keyboard: it stays in place, marked, and the cursor moves on
    const first = page.locator('tr.row').first();
    const id = await first.getAttribute('data-client');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('d');
    await page.keyboard.type('Liked the offer, call back on Monday');
    await page.keyboard.press('Enter');
    await page.locator(`tr.row[data-client="${id}"][data-state=done]`).waitFor();
    assert.equal(await page.locator('tr.row-cursor').count(), 1);
    assert.notEqual(await page.locator('tr.row-cursor').getAttribute('data-client'), id);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('row-cursor')), true, 'the cursor row has the focus');
    await page.waitForTimeout(300); // let the toast settle
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'worklist-en');
  });
});

describe('people at a client', () => {
  it('on a phone: add a person on the card, fix a bad number at its field, find the client by the person\'s name', async () => {
    const page = await open({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'ru-RU' });
    await signIn(page, server.url, USERS.olga);
    const list = await api.olga.get('/api/touchbase/clients?perPage=5&page=3');
    const client = list.items[0];
    await page.goto(`${server.url}/#/clients`);
    await page.locator('.clients-rows .client-name', { hasText: client.name }).first().waitFor();
    await page.locator('.clients-rows .client-name', { hasText: client.name }).first().tap();
    const dialog = page.locator('dialog#card[open]');
    await dialog.locator('.card-people').waitFor();
    await dialog.locator('.add-person').tap();
    const form = dialog.locator('form.person-form');
    await form.locator('input[name=name]').fill('Ёлкина Зинаида');
    await form.locator('select[name=role]').selectOption('finance');
    await form.locator('input[name=position]').fill('Главный бухгалтер');
    await form.locator('input[name=birthday]').fill('1985-12-01');
    await form.locator('input[name=phone]').fill('12');
    await form.locator('button[type=submit]').tap();
    // the server's message stands at the phone field, in the page's language or the server's
    await form.locator('.field-error[data-field=phone]:not(:empty)').waitFor();
    await form.locator('input[name=phone]').fill('8 (495) 123-45-67');
    await form.locator('button[type=submit]').tap();
    const person = dialog.locator('.person', { hasText: 'Ёлкина Зинаида' });
    await person.waitFor();
    assert.equal(await person.locator('a[href^="tel:"]').getAttribute('href'), 'tel:+74951234567');
    assert.match(await person.textContent(), /1 декабря/, 'the birthday is the day picked');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (overflow ${overflow}px)`);
    await screenshot(page, 'phone-card-people');
    await dialog.locator('.dialog-close').tap();

    // the Clients view finds the client by the new person's name, in another case and with е for ё
    await page.locator('#clients-q').fill('елкина');
    await page.waitForFunction((name) => {
      const names = [...document.querySelectorAll('.clients-rows .client-name')].map((b) => b.textContent);
      return names.length === 1 && names[0] === name;
    }, client.name);
  });
});

describe('language and small screens', () => {
  it('Russian by default for a Russian browser; the switch is remembered', async () => {
    const page = await open({ locale: 'ru-RU', viewport: { width: 1440, height: 1000 } });
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('#signin-title').textContent(), 'Вход');
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    await page.locator('#signin-email').fill(USERS.olga);
    await page.locator('#signin-password').fill('wrong password');
    await page.locator('form.signin button[type=submit]').click();
    await page.locator('.form-error', { hasText: 'Неверная почта или пароль' }).waitFor();

    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}`);
    await waitRows(page);
    const nav = await page.locator('nav.mainnav').textContent();
    assert.match(nav, /Список касаний/);
    assert.match(nav, /План/);
    assert.match(await page.locator('.state-tabs').textContent(), /Ждут/);
    assert.match(await page.locator('[data-testid=whoami]').textContent(), /Менеджер точки/);
    await page.locator('.live.live-on').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'worklist-ru');

    await page.locator('#lang').selectOption('en');
    assert.match(await page.locator('nav.mainnav').textContent(), /Worklist/);
    await page.reload();
    await waitRows(page);
    assert.match(await page.locator('nav.mainnav').textContent(), /Worklist/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  });

  it('works on a phone-sized screen', async () => {
    const page = await open({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}`);
    await waitRows(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (overflow ${overflow}px)`);
    await screenshot(page, 'phone-worklist');

    // the first row's actions are on screen and usable
    const first = page.locator('tr.row').first();
    for (const sel of ['.client-name', '.btn-copy', '.btn-done', '.btn-skip', 'input.comment']) {
      const box = await first.locator(sel).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${sel} fits the screen`);
    }
    await first.locator('.client-name').tap();
    const dialog = page.locator('dialog#card[open]');
    await dialog.locator('.timeline-wrap').waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box.width <= 375, `card fits the screen (${box.width}px)`);
    await screenshot(page, 'phone-card');
  });
});

after(() => {
  // e2e/run.sh --update-docs copies the worklist screenshots to docs/
  if (process.env.UPDATE_DOCS === '1') {
    copyFileSync(join(OUT, 'worklist-en.png'), join(ROOT, 'docs', 'worklist-en.png'));
    copyFileSync(join(OUT, 'worklist-ru.png'), join(ROOT, 'docs', 'worklist-ru.png'));
  }
});

describe('occasion editor', () => {
  it('a service manager builds an occasion with two variants; it reaches a point manager live', async () => {
    const olga = await open();
    await signIn(olga, server.url, USERS.olga);
    await waitRows(olga);
    const nav = await olga.locator('nav.mainnav').textContent();
    assert.doesNotMatch(nav, /Occasions/, 'no editor for a point manager');

    const page = await open({ viewport: { width: 1440, height: 1000 } });
    await signIn(page, server.url, USERS.service);
    await page.goto(`${server.url}/#/occasions`);
    await page.locator('.editor-new').click();
    const title = `E2E editor ${Date.now()}`;
    await page.locator('#editor-title').fill(title);

    // a bad placeholder: the server's words at the field, as you type
    const ru = page.locator('[data-version="0"]');
    await ru.locator('input[placeholder="A"]').fill('A');
    await ru.locator('textarea').fill('{{contakt}}, добрый день!');
    const error = page.locator('[data-field="v0-text"]');
    await page.waitForFunction(() => /\{\{contakt\}\}/.test(document.querySelector('[data-field="v0-text"]')?.textContent || ''));
    assert.match(await error.textContent(), /Unknown placeholder \{\{contakt\}\} at character 1/);
    // fixed: the error goes, the preview shows the client's message
    await ru.locator('textarea').fill('{{contact}}, добрый день! Вариант А от {{point}}.');
    await page.waitForFunction(() => (document.querySelector('[data-field="v0-text"]')?.textContent || '') === '');
    await page.waitForFunction(() => /Вариант А от /.test(document.querySelector('[data-preview="0"]')?.textContent || ''));
    assert.doesNotMatch(await page.locator('[data-preview="0"]').textContent(), /\{\{/);

    // a second Russian variant
    await page.getByRole('button', { name: /Add a version/ }).click();
    const b = page.locator('[data-version="2"]');
    await b.locator('select').selectOption('ru');
    await b.locator('input[placeholder="A"]').fill('B');
    await b.locator('textarea').fill('{{contact}}, здравствуйте! Вариант Б.');
    await page.waitForFunction(() => /Вариант Б/.test(document.querySelector('[data-preview="2"]')?.textContent || ''));
    const en = page.locator('[data-version="1"]');
    await en.locator('textarea').fill('Dear {{contact}}, variant for English speakers.');

    await page.locator('.editor-actions button[type=submit]').click();
    await page.locator('.toast', { hasText: title }).waitFor();

    // saved through the REST API: the occasion and its three versions
    const saved = await api.service.get('/api/collections/occasions/records?filter=' + encodeURIComponent(`title="${title}"`));
    assert.equal(saved.items.length, 1);
    const versions = await api.service.get(`/api/collections/occasion_templates/records?filter=${encodeURIComponent(`occasion="${saved.items[0].id}"`)}&sort=language,variant`);
    assert.deepEqual(versions.items.map((v) => `${v.language}/${v.variant}`), ['en/', 'ru/A', 'ru/B']);

    // Olga's picker shows it without a reload, and its worklist speaks Russian
    await olga.locator('.occ', { hasText: title }).waitFor({ timeout: 10_000 });
    await olga.locator('.occ', { hasText: title }).click();
    await waitRows(olga);
    await olga.waitForFunction(() => /Вариант [АБ]/.test(document.querySelector('tr.row .msg')?.textContent || ''));
    const message = await olga.locator('tr.row .msg').first().textContent();
    assert.match(message, /Вариант [АБ]/);
    assert.doesNotMatch(message, /English/);
    await screenshot(page, 'editor-saved');

    // a point manager has no editor: the address falls back to the worklist, the API refuses
    await olga.goto(`${server.url}/#/occasions`);
    await olga.locator('tr.row').first().waitFor();
    assert.equal(await olga.locator('.editor').count(), 0);
    const refused = await api.olga.raw('POST', '/api/collections/occasions/records', { title: 'mine', kind: 'standard' });
    assert.ok(refused.status >= 400 && refused.status < 500, `occasions create as a point manager: ${refused.status}`);
    const preview = await api.olga.raw('POST', '/api/touchbase/preview', { client: api.olga.user.point, template: 'x' });
    assert.equal(preview.status, 403);
  });
});

describe('did it work', () => {
  it('a mis-clicked Done is undone from the notice; the row is pending again with its comment', async () => {
    const [client] = await pendingClients('olga', 1);
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await worklistFor(page, client);
    const r = row(page, client.id);
    await r.locator('input.comment').fill('wrong client');
    await r.locator('.btn-done').click();
    await page.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor();
    await page.locator('.toast .toast-action', { hasText: 'Undo' }).click();
    await page.locator(`tr.row[data-client="${client.id}"][data-state=pending]`).waitFor();
    assert.equal(await row(page, client.id).locator('input.comment').inputValue(), 'wrong client');
    assert.equal(await page.locator('[data-count=pending]').textContent(), '1');
    const touches = await api.olga.get(`/api/collections/touches/records?filter=${encodeURIComponent(`client="${client.id}" && occasion="${occasion.id}"`)}`);
    assert.deepEqual(touches.items.map((x) => x.status), ['withdrawn']);
    // marked again: the occurrence is open
    await row(page, client.id).locator('.btn-done').click();
    await page.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor();
  });

  it('after opening a channel, coming back asks once what came of it', async () => {
    const [client] = await pendingClients('olga', 1, { withLinks: true });
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await worklistFor(page, client);
    const r = row(page, client.id);
    const link = r.locator('a.btn-channel').first();
    await link.evaluate((a) => { a.setAttribute('href', 'about:blank'); a.setAttribute('target', '_blank'); }); // no real messenger in the test
    const popup = page.context().waitForEvent('page');
    await link.click();
    const other = await popup.catch(() => null);
    await page.waitForTimeout(900);
    await other?.close();
    await page.bringToFront();
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const question = r.locator('.reply-ask');
    await question.waitFor();
    assert.match(await question.textContent(), /Did they reply\?/);
    await question.locator('[data-outcome=not_now]').click();
    await question.locator('input.follow-up-day').fill('2027-02-01');
    await question.locator('.not-now button').click();
    await page.locator(`tr.row[data-client="${client.id}"][data-state=done]`).waitFor();
    assert.equal(await row(page, client.id).locator('.reply-ask').count(), 0, 'asked once');
    const [touch] = (await api.olga.get(`/api/collections/touches/records?filter=${encodeURIComponent(`client="${client.id}" && occasion="${occasion.id}"`)}`)).items;
    assert.equal(touch.status, 'done');
    assert.equal(touch.outcome, 'not_now');
    assert.match(touch.follow_up, /^2027-02-01/);
    const holds = await api.olga.get(`/api/collections/holds/records?filter=${encodeURIComponent(`touch="${touch.id}"`)}`);
    assert.equal(holds.totalItems, 1, 'not now holds the client until the day');
  });

  it('colleagues\' marks update rows in place; the notices stay off the active row', async () => {
    const clients = await pendingClients('olga', 4);
    const page = await open({ viewport: { width: 390, height: 700 }, isMobile: true, hasTouch: true });
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}`);
    await waitRows(page);
    await page.locator('.live.live-on').waitFor();
    for (const c of clients) {
      await api.dmitry.post('/api/collections/touches/records', { client: c.id, occasion: occasion.id, status: 'done', channel: 'phone' });
    }
    await page.waitForFunction(() => document.querySelectorAll('.toast').length > 0);
    await page.waitForTimeout(600);
    assert.equal(await page.locator('.toast').count(), 1, 'one running summary, not a notice per mark');
    const active = await page.locator('tr.row-cursor').boundingBox();
    const notice = await page.locator('#toasts').boundingBox();
    if (active && notice) {
      const overlap = active.y < notice.y + notice.height && notice.y < active.y + active.height;
      assert.ok(!overlap, 'the notice does not cover the active row');
    }
  });

  it('a 400-character unbroken comment wraps at 1440 and 390 px', async () => {
    const [client] = await pendingClients('olga', 1);
    const long = 'https://example.com/' + 'x'.repeat(380);
    await api.olga.post('/api/collections/touches/records', { client: client.id, occasion: occasion.id, status: 'done', comment: long });
    for (const viewport of [{ width: 1440, height: 900 }, { width: 390, height: 800 }]) {
      const page = await open({ viewport });
      await signIn(page, server.url, USERS.olga);
      await page.goto(`${server.url}/#/worklist?occasion=${occasion.id}&state=done&q=${encodeURIComponent(client.name)}`);
      await row(page, client.id).waitFor();
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(wide, 0, `no horizontal scroll at ${viewport.width} px (the worklist)`);
      await row(page, client.id).locator('.client-name').click();
      await page.locator('dialog#card[open] .timeline').waitFor();
      const dialogWide = await page.evaluate(() => {
        const d = document.querySelector('dialog#card');
        return d.scrollWidth - d.clientWidth;
      });
      assert.equal(dialogWide, 0, `no horizontal scroll at ${viewport.width} px (the card)`);
      await screenshot(page, `long-comment-${viewport.width}`);
    }
  });
});

describe('from the business to the worklist', () => {
  it('a manager logs a call from Due in one step; the client leaves the queue', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/due`);
    const first = page.locator('.due-rows tr.row').first();
    await first.waitFor();
    const clientId = await first.getAttribute('data-client');
    await first.locator('.btn-log').click();
    const log = page.locator(`tr.due-log[data-client="${clientId}"]`);
    await log.locator('.msg').waitFor();
    assert.ok((await log.locator('.msg').textContent()).trim().length > 0, 'the personal-contact message');
    await log.locator('input.comment').fill('Called about the spring order');
    await log.locator('.btn-done').click();
    await page.locator('.toast', { hasText: 'done' }).waitFor();
    await page.waitForFunction((id) => !document.querySelector(`.due-rows tr.row[data-client="${id}"]`), clientId);
    const touches = await api.olga.get(`/api/collections/touches/records?filter=${encodeURIComponent(`client="${clientId}" && comment="Called about the spring order"`)}`);
    assert.equal(touches.totalItems, 1);
    assert.equal(touches.items[0].status, 'done');
  });

  it('the Plan jumps to a month; today is marked', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/plan`);
    await page.locator('.plan-jump button').first().waitFor();
    assert.equal(await page.locator('.plan-today').count(), 1);
    const months = await page.locator('.plan-jump button').count();
    assert.ok(months >= 6, `months in the jump bar: ${months}`);
    const target = page.locator('.plan-jump button').nth(3);
    const month = await target.getAttribute('data-month');
    await target.click();
    await page.waitForFunction((m) => {
      const top = document.getElementById(`month-${m}`).getBoundingClientRect().top;
      return top >= 0 && top < 250;
    }, month);
    await screenshot(page, 'plan-month');
  });
});
