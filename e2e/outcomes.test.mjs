// End-to-end tests of the Replies chart and the To follow up list (issue
// 13, SPEC §6 and §8) in headless Chromium, on the real binary with the
// demo data. Run with e2e/run.sh (it builds the binary and sets
// TOUCHBASE_BIN).

import { describe, it as baseIt, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, rest, USERS, OUT, tracked } from './harness.mjs';

let server;
let browser;
let api; // REST clients per demo user
const { pages, open, it } = tracked(() => browser, baseIt);
/** shot saves the whole page (not only the viewport) to e2e/out/. */
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const pct = (x) => Math.round(x * 100);
const SIZES = { 1440: { width: 1440, height: 1000 }, 390: { width: 390, height: 844 } };
const phone = (size) => (size === 390 ? { isMobile: true, hasTouch: true } : {});
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const inDays = (n) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return isoDay(d);
};

before(async () => {
  browser = await launchBrowser();
  server = await startServer();
  api = Object.fromEntries(await Promise.all(Object.entries(USERS).map(async ([k, email]) => [k, await rest(server.url, email)])));
});

after(async () => {
  for (const page of pages) {
    assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
  }
  await browser?.close();
  await server?.stop();
});

describe('Replies (effectiveness) for service managers', () => {
  for (const [size, locale] of [[1440, 'en-GB'], [390, 'en-GB'], [1440, 'ru-RU'], [390, 'ru-RU']]) {
    const lang = locale.slice(0, 2);
    it(`the chart shows the API's figures per occasion, variant and category (${lang}, ${size} px)`, async () => {
      const res = await api.service.get('/api/touchbase/effectiveness');
      assert.ok(res.totals.done > 0, 'the demo has done touches in the last 90 days');
      const page = await open({ locale, viewport: SIZES[size], ...phone(size) });
      await signIn(page, server.url, USERS.service);
      const nav = page.locator('nav.mainnav');
      await nav.getByRole('link', { name: lang === 'ru' ? 'Отклики' : 'Replies' }).click();
      await page.locator('.eff-chart[data-chart=occasions] .eff-group').first().waitFor();
      assert.equal(await page.locator('#eff-from').inputValue(), res.from, 'the default range is the server’s (last 90 days)');
      assert.equal(await page.locator('#eff-to').inputValue(), res.to);

      const groups = page.locator('.eff-chart[data-chart=occasions] .eff-group');
      assert.equal(await groups.count(), res.occasions.length, 'one group per occasion with touches');
      for (const o of res.occasions) {
        const group = page.locator(`.eff-group[data-occasion="${o.id}"]`);
        const row = group.locator('.eff-row.eff-occasion');
        assert.equal(await row.getAttribute('data-done'), String(o.outcomes.done), o.title);
        assert.equal(await row.getAttribute('data-replied'), String(o.outcomes.replied), o.title);
        assert.equal(await row.getAttribute('data-enough'), String(o.outcomes.enough), o.title);
        assert.equal(await row.locator('.eff-bar').count(), 1, `a bar for ${o.title}`);
        const f = o.outcomes;
        const text = await row.locator('.eff-text').textContent();
        const of = lang === 'ru' ? 'из' : 'of';
        assert.equal(text.replace(/\s/g, ' '), `${f.replied} ${of} ${f.done} · ${pct(f.rate)} % (${pct(f.lower)}–${pct(f.upper)} %)`, o.title);
        // the bar's width is the rate
        const width = await row.locator('.eff-bar').evaluate((el) => el.style.width);
        assert.equal(width, `${pct(f.rate)}%`);
        if (o.variants.length > 1) {
          const variants = group.locator('.eff-version');
          assert.equal(await variants.count(), o.variants.length, `versions of ${o.title}`);
          for (const v of o.variants) {
            const vrow = group.locator(`.eff-version[data-template="${v.id}"] .eff-row`);
            assert.equal(await vrow.getAttribute('data-done'), String(v.outcomes.done));
            assert.equal(await vrow.getAttribute('data-replied'), String(v.outcomes.replied));
            if (v.language) assert.match(await vrow.locator('.eff-name').textContent(), new RegExp(v.language.toUpperCase()));
          }
        }
      }
      // per category, in the server's order
      const cats = await page.locator('.eff-chart[data-chart=categories] .eff-row:not(.eff-scale)').evaluateAll((rows) => rows.map((r) => `${r.dataset.done}/${r.dataset.replied}`));
      assert.deepEqual(cats, res.categories.map((c) => `${c.outcomes.done}/${c.outcomes.replied}`));

      // the "not enough data" state is drawn and said
      const few = page.locator('.eff-row.eff-few');
      assert.ok(await few.count() > 0, 'the demo has figures with fewer than 30 touches');
      assert.equal(await few.count(), await page.locator('.eff-row.eff-few .eff-few-note').count(), 'each says so');
      assert.match(await few.first().locator('.eff-few-note').textContent(), lang === 'ru' ? /Мало данных \(меньше 30 касаний\)/ : /Not enough data \(fewer than 30 touches\)/);
      assert.ok(await page.locator('.eff-row.eff-enough').count() > 0, 'the totals have enough touches');
      assert.equal(await page.locator('.eff-row.eff-enough .eff-few-note').count(), 0);

      assert.ok(await overflow(page) <= 0, `no horizontal scroll at ${size} px`);
      await shot(page, `replies-${lang}-${size}`);
      if (size === 390) {
        await page.screenshot({ path: join(OUT, `replies-${lang}-${size}-top.png`) });
        const many = res.occasions.find((o) => o.variants.length > 2);
        if (many) await page.locator(`.eff-group[data-occasion="${many.id}"]`).screenshot({ path: join(OUT, `replies-${lang}-${size}-variants.png`) });
      }

      if (size === 1440 && lang === 'en') {
        // a longer range: the figures follow the server's for it
        await page.locator('.eff-presets button[data-days="365"]').click();
        const from = inDays(-364);
        await page.waitForFunction((f) => document.querySelector('#eff-from').value === f, from);
        const year = await api.service.get(`/api/touchbase/effectiveness?from=${from}&to=${isoDay(new Date())}`);
        await page.waitForFunction((n) => document.querySelector('.eff-chart[data-chart=total] .eff-row')?.dataset.done === String(n), year.totals.done);
        assert.match(page.url(), new RegExp(`from=${from}`));
      }
    });
  }

  it('a point manager has no Replies in the navigation and cannot open it', async () => {
    const page = await open();
    await signIn(page, server.url, USERS.olga);
    const nav = await page.locator('nav.mainnav').textContent();
    assert.doesNotMatch(nav, /Replies|Отклики/);
    assert.match(nav, /Follow up|Что ответили/);
    await page.goto(`${server.url}/#/effectiveness`);
    await page.waitForFunction(() => location.hash.startsWith('#/worklist'));
    assert.equal(await page.locator('.effectiveness').count(), 0);
  });
});

describe('To follow up', () => {
  const filterOf = () => {
    const cutoff = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().replace('T', ' ');
    return encodeURIComponent(`status="done" && ((outcome="" && created<="${cutoff}") || (outcome="not_now" && follow_up!="" && follow_up<="${isoDay(new Date())} 23:59:59.999Z"))`);
  };

  it('a point manager records "not now" with a day: the touch gets it and the hold follows', async () => {
    const list = await api.olga.get(`/api/collections/touches/records?perPage=1&sort=-created,-id&filter=${filterOf()}`);
    assert.ok(list.totalItems > 0, 'Olga has touches to follow up');
    const page = await open({ viewport: SIZES[1440] });
    await signIn(page, server.url, USERS.olga);
    await page.locator('nav.mainnav').getByRole('link', { name: 'Follow up' }).click();
    await page.locator('.fu-item').first().waitFor();
    assert.match(await page.locator('.followup .lead').textContent(), /at least 3 days/);
    assert.match(await page.locator('.fu-status').textContent(), new RegExp(String(list.totalItems)));

    // newest first: the first item is the REST API's first
    const touch = list.items[0];
    const item = page.locator(`.fu-item[data-touch="${touch.id}"]`);
    assert.equal(await page.locator('.fu-item').first().getAttribute('data-touch'), touch.id);
    // every item is a client of Olga's point
    const clients = await api.service.get('/api/collections/clients/records?perPage=500&fields=id,point&filter=' + encodeURIComponent(`point="${api.olga.user.point}"`));
    const own = new Set(clients.items.map((c) => c.id));
    for (const id of await page.locator('.fu-item').evaluateAll((lis) => lis.map((li) => li.dataset.client))) assert.ok(own.has(id), `${id} is Olga's`);

    // a day in the past is refused by the server, and the message stands at the item
    await item.locator('.fu-day').fill(inDays(-2));
    await item.locator('button[data-outcome=not_now]').click();
    await item.locator('.fu-error:not(:empty)').waitFor();
    assert.ok((await item.locator('.fu-error').textContent()).length > 10);
    assert.equal((await api.olga.get(`/api/collections/touches/records/${touch.id}`)).outcome, '');

    // pick another day and record it
    const day = inDays(10);
    await item.locator('.fu-day').fill(day);
    await item.locator('button[data-outcome=not_now]').click();
    await item.locator('.fu-done').waitFor();
    assert.equal(await item.locator('.fu-error').count(), 0);
    await item.waitFor({ state: 'detached' });

    const saved = await api.olga.get(`/api/collections/touches/records/${touch.id}`);
    assert.equal(saved.outcome, 'not_now');
    assert.ok(saved.follow_up.startsWith(day), `follow_up ${saved.follow_up} is ${day}`);
    const holds = await api.olga.get(`/api/collections/holds/records?filter=${encodeURIComponent(`touch="${touch.id}"`)}`);
    assert.equal(holds.totalItems, 1, 'the outcome made a hold');
    assert.equal(holds.items[0].reason, 'requested');
  });

  it('the default "not now" day is 30 days on, and a one-tap outcome leaves the list', async () => {
    const page = await open({ viewport: SIZES[390], isMobile: true, hasTouch: true, locale: 'ru-RU' });
    await signIn(page, server.url, USERS.olga);
    await page.goto(`${server.url}/#/followup`);
    const item = page.locator('.fu-item').first();
    await item.waitFor();
    assert.equal(await item.locator('.fu-day').inputValue(), inDays(30));
    const id = await item.getAttribute('data-touch');
    await item.locator('button[data-outcome=replied]').click();
    await page.locator(`.fu-item[data-touch="${id}"] .fu-done`).waitFor();
    assert.match(await page.locator(`.fu-item[data-touch="${id}"] .fu-done`).textContent(), /Ответили/);
    const saved = await api.olga.get(`/api/collections/touches/records/${id}`);
    assert.equal(saved.outcome, 'replied');
    assert.equal(saved.follow_up, '');
    assert.ok(await overflow(page) <= 0, 'no horizontal scroll at 390 px');
  });

  for (const [size, locale] of [[1440, 'en-GB'], [390, 'en-GB'], [1440, 'ru-RU'], [390, 'ru-RU']]) {
    const lang = locale.slice(0, 2);
    it(`the list reads well (${lang}, ${size} px)`, async () => {
      const page = await open({ locale, viewport: SIZES[size], ...phone(size) });
      await signIn(page, server.url, USERS.olga);
      await page.goto(`${server.url}/#/followup`);
      await page.locator('.fu-item').first().waitFor();
      assert.equal(await page.locator('.fu-item').first().locator('button.fu-outcome').count(), 6, 'six outcomes');
      assert.ok(await overflow(page) <= 0, `no horizontal scroll at ${size} px`);
      await shot(page, `followup-${lang}-${size}`);
      if (size === 390) await page.screenshot({ path: join(OUT, `followup-${lang}-${size}-top.png`) });
    });
  }
});
