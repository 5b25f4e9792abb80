// Test harness for the browser tests: starts the real Touchbase binary on a
// temporary data dir with the demo data, launches Debian's Chromium through
// playwright-core, and offers small helpers (REST calls as a demo user,
// sign-in in a page, screenshots).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'e2e', 'out');
export const PASSWORD = 'touchbase-demo';
export const USERS = {
  service: 'service@touchbase.demo',
  olga: 'olga@touchbase.demo', // point manager, Москва — Центр
  dmitry: 'dmitry@touchbase.demo', // point manager, Москва — Центр
  james: 'james@touchbase.demo', // point manager, London
};

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * startServer runs `touchbase serve --demo` on a fresh data dir and resolves
 * once the API answers. TOUCHBASE_BIN names the binary (e2e/run.sh builds it).
 */
export async function startServer() {
  const bin = process.env.TOUCHBASE_BIN;
  if (!bin || !existsSync(bin)) throw new Error('TOUCHBASE_BIN must name a built touchbase binary (e2e/run.sh builds one).');
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'touchbase-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(OUT, 'server.log'));
  const proc = spawn(bin, ['serve', '--dev=false', '--demo', '--dir', join(dir, 'pb_data'), '--http', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exited = null;
  proc.on('exit', (code) => (exited = code));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`touchbase exited with ${exited}; see e2e/out/server.log`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('touchbase did not start within 30 s; see e2e/out/server.log');
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    async stop() {
      if (exited === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (exited === null) proc.kill('SIGKILL');
      }
      log.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** newPage opens a fresh context (its own storage: another person) with a page. */
export async function newPage(browser, { locale = 'en-GB', viewport = { width: 1366, height: 900 }, ...rest } = {}) {
  const context = await browser.newContext({ locale, viewport, colorScheme: 'light', reducedMotion: 'reduce', ...rest });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.errors = errors;
  return page;
}

/** signIn fills the sign-in form and waits for the worklist. */
export async function signIn(page, url, email) {
  await page.goto(`${url}/`);
  await page.locator('#signin-email').fill(email);
  await page.locator('#signin-password').fill(PASSWORD);
  await page.locator('form.signin button[type=submit]').click();
  await page.locator('[data-testid=whoami]').waitFor();
}

/** rest is a tiny REST client signed in as a demo user, for arranging and checking data. */
export async function rest(url, email) {
  const auth = await call(url, 'POST', '/api/collections/users/auth-with-password', null, { identity: email, password: PASSWORD });
  const token = auth.token;
  return {
    user: auth.record,
    get: (path) => call(url, 'GET', path, token),
    post: (path, body) => call(url, 'POST', path, token, body),
    raw: (method, path, body) => fetch(url + path, { method, headers: { Authorization: token, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined }),
  };
}

async function call(url, method, path, token, body) {
  const res = await fetch(url + path, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function screenshot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

/** rowTexts returns the client names of the worklist rows on the page. */
export function rowNames(page) {
  return page.locator('tr.row .client-name').allTextContents();
}

/**
 * tracked gives a test file its open() and it(): open() opens a page in a
 * fresh context with newPage, it() is node:test's it, saving a screenshot
 * of the test's pages when it fails (e2e/out/failed-*.png) and closing
 * them after it, as a user closes a tab: each open page holds a realtime
 * connection, and the server allows a user only a few at a time. pages
 * lists every page opened, for the file's after() to check for errors.
 * browser() returns the browser launched in the file's before().
 */
export function tracked(browser, baseIt) {
  const pages = [];
  const open = async (opts) => {
    const page = await newPage(browser(), opts);
    pages.push(page);
    return page;
  };
  const it = (name, fn) => baseIt(name, async (t) => {
    const first = pages.length;
    try {
      await fn(t);
    } catch (err) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      await Promise.all(pages.slice(first).map((p, i) => screenshot(p, `failed-${slug}-${i}`).catch(() => {})));
      throw err;
    } finally {
      await Promise.all(pages.slice(first).map((p) => p.context().close().catch(() => {})));
    }
  });
  return { pages, open, it };
}
