/** The browser session of console.browser.test.ts (run only when Chromium is there). */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApiKey, revokeApiKey } from '@rootaudit/store';
import type { BrowserContext, Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { sourceCondition } from '../support/cli.ts';
import { testDatabase } from '../support/db.ts';
import { CHROMIUM } from './chromium.ts';

const root = resolve(import.meta.dirname, '../..');
const SHOTS = join(root, 'test-results/console');

// What the API serves is apps/console/dist, as `pnpm build` writes it: build it from these sources.
const built = spawnSync(process.execPath, [join(root, 'apps/console/build.mjs')], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`building the console failed:\n${built.stdout}\n${built.stderr}`);
t.comment(built.stdout.trim());

const { chromium } = await import('playwright-core');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const { url: databaseUrl, prisma } = await testDatabase(t);

/** The demo: its URL and write key once its first scan has finished. */
async function startDemo(): Promise<{ child: ChildProcess; url: string; writeKey: string }> {
  const child = spawn(
    process.execPath,
    [
      sourceCondition,
      join(root, 'apps/cli/bin/rootaudit.mjs'),
      'demo',
      '--port',
      '0',
      '--accounts',
      '12',
      '--database-url',
      databaseUrl,
      // Simulated root events every 2 s once the first scan is done: the Root activity page has some.
      '--root-activity',
      '2',
    ],
    {
      env: { ...process.env, NODE_OPTIONS: '', NODE_V8_COVERAGE: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit');
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the demo did not finish its first scan:\n${stdout}\n${stderr}`)),
      90_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (/The findings come from SIMULATED/.test(stdout)) {
        clearTimeout(timer);
        done();
      }
    });
    child.once('exit', (code) => fail(new Error(`demo exited (${code}) early:\n${stdout}\n${stderr}`)));
  });
  const url = /^API URL +(http:\/\/\S+)/m.exec(stdout)?.[1];
  const writeKey = /^API key +(ra_\S+) /m.exec(stdout)?.[1];
  if (!url || !writeKey) throw new Error(`no URL or key in the demo's output:\n${stdout}`);
  return { child, url, writeKey };
}

const demo = await startDemo();
const readKey = (await createApiKey(prisma, { name: 'auditor', scope: 'read' })).key;
const revoked = await createApiKey(prisma, { name: 'former', scope: 'read' });
await revokeApiKey(prisma, revoked.record.id);

const userDataDir = mkdtempSync(join(tmpdir(), 'rootaudit-chromium-'));
t.teardown(() => rmSync(userDataDir, { recursive: true, force: true }));
// A fresh profile each run (Playwright passes it to Chromium as --user-data-dir).
const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
});
t.teardown(() => context.close());
const page: Page = await context.newPage();
page.setDefaultTimeout(15_000);

// Everything the browser asks for, and every console complaint (a CSP refusal among them).
const requested: string[] = [];
const complaints: string[] = [];
page.on('request', (request) => requested.push(request.url()));
page.on('console', (message) => {
  if (message.type() === 'error') complaints.push(message.text());
});
page.on('pageerror', (error) => complaints.push(error.message));

mkdirSync(SHOTS, { recursive: true });
const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function accessibility(tap: Test, name: string): Promise<void> {
  // Through the DevTools protocol, not a <script>: the page's CSP refuses inline scripts, as it should.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    interface AxeResult {
      violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[];
    }
    const { axe, document } = globalThis as unknown as {
      document: unknown;
      axe: { run: (context: unknown) => Promise<AxeResult> };
    };
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  tap.same(serious, [], `${name}: no serious or critical axe-core violation`);
  if (violations.length > serious.length)
    tap.comment(`${name}: minor axe findings ${violations.map((v) => v.id).join(', ')}`);
}

async function signIn(key: string): Promise<void> {
  await page.goto(demo.url);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

t.test('a bad or a revoked key gets a clear message, never a blank page', async (t) => {
  const response = await page.goto(demo.url);
  t.match(response?.headers()['content-security-policy'], /default-src 'self'/);
  await accessibility(t, 'sign-in');
  await signIn('ra_this-key-was-never-issued');
  const alert = page.getByRole('alert');
  t.match(await alert.textContent(), /unknown or has been revoked/);
  await shoot('sign-in-bad-key');
  await signIn(revoked.key);
  t.match(await page.getByRole('alert').textContent(), /unknown or has been revoked/);
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
});

t.test('a read key sees the overview and every page, without actions', async (t) => {
  await signIn(readKey);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  t.match(await page.locator('header').textContent(), /auditor \(read only\)/);
  const passRate = page.getByTestId('pass-rate');
  t.match(await passRate.textContent(), /Pass rate now\d+\.\d %\d+ PASS, \d+ FAIL/);
  t.ok(
    await page.getByRole('img', { name: /Pass rate over the last 1 scans/ }).isVisible(),
    'the trend chart',
  );
  await page
    .getByText(/accounts scanned, 1 unreadable, 2 skipped/)
    .first()
    .waitFor();
  // The tree: the organization root opens on its OUs; an OU opens on its accounts.
  const tree = page.locator('.tree');
  await tree.locator('summary', { hasText: 'ou-ab12-workload' }).click();
  await tree.locator('summary', { hasText: 'ou-ab12-prod0000' }).click();
  await tree.getByRole('link', { name: /prod-payments \(555555555555\)/ }).waitFor();
  t.match(await tree.textContent(), /prod-payments \(555555555555\) — \d+ failing, worst critical/);
  await shoot('overview');
  await accessibility(t, 'overview');

  await page.getByRole('link', { name: 'Findings', exact: true }).click();
  await page.locator('table.findings tbody tr').first().waitFor();
  t.equal(await page.getByRole('button', { name: 'Mute…' }).count(), 0, 'no mute for a read key');
  await page.getByRole('link', { name: 'Scans' }).click();
  await page.getByRole('heading', { name: 'Scans' }).waitFor();
  await page.locator('table tbody tr').first().waitFor();
  t.equal(
    await page.getByRole('button', { name: 'Start a scan' }).count(),
    0,
    'no scan start for a read key',
  );
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('This key reads only').waitFor();
  t.equal(await page.getByRole('button', { name: 'Add webhook' }).count(), 0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  t.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out forgets the key');
});

t.test('a write key filters findings, opens an account, mutes, exports, scans', async (t) => {
  await signIn(demo.writeKey);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  t.match(await page.locator('header').textContent(), /demo \(read and write\)/);

  // Filter: failing critical findings, through the controls; the URL carries the filter.
  await page.getByRole('link', { name: 'Findings', exact: true }).click();
  const filters = page.getByRole('form', { name: 'finding filters' });
  await filters.getByRole('group', { name: 'Status' }).getByLabel('FAIL').check();
  await filters.getByRole('group', { name: 'Severity' }).getByLabel('critical').check();
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/#\/findings\?status=FAIL&severity=critical$/);
  const rows = page.locator('table.findings tbody tr');
  // Locators, not page.waitForFunction: its predicate is evaluated as a string, which the
  // console's CSP (no 'unsafe-eval') refuses.
  await page.locator("table.findings[aria-busy='false']").waitFor();
  const statuses = await rows.locator('td:nth-child(3)').allTextContents();
  const severities = await rows.locator('td:nth-child(4)').allTextContents();
  t.ok(statuses.length > 0, 'some critical finding fails in the sample organization');
  t.same([...new Set(statuses)], ['FAIL']);
  t.same([...new Set(severities)], ['critical']);
  await shoot('findings-failing-critical');
  await accessibility(t, 'findings');

  // The same filter, shared as a link, opens the same list.
  await page.reload();
  await rows.first().waitFor();
  t.equal(await rows.count(), statuses.length, 'the URL alone restores the filtered list');
  t.ok(await page.getByRole('group', { name: 'Status' }).getByLabel('FAIL').isChecked());

  // Export CSV of that filter: fetched with the key in a header, saved from a blob.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'CSV' }).click(),
  ]);
  t.equal(download.suggestedFilename(), 'rootaudit-findings.csv');
  t.match(download.url(), /^blob:/);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  t.match(csv[0], /accountId|account/i, 'a header line');
  t.equal(csv.length - 1, statuses.length, 'one line per failing critical finding');

  // Open an account from the list.
  await page
    .getByRole('link', { name: /prod-payments \(555555555555\)/ })
    .first()
    .click();
  await page.getByRole('heading', { name: 'prod-payments (555555555555)' }).waitFor();
  const keys = page.getByRole('article', { name: /\(root-no-access-keys\)/ });
  t.match(await keys.textContent(), /FAIL.*critical/);
  t.match(await keys.getByText('Remediation').textContent(), /Remediation/);
  t.ok(await page.getByText('First seen').first().isVisible(), 'history');
  await shoot('account');
  await accessibility(t, 'account');

  // Mute that finding, then unmute it.
  await page.goto(`${demo.url}/#/findings?account=555555555555&check=root-no-access-keys`);
  await page.getByRole('button', { name: 'Mute…' }).click();
  await page.getByLabel('Reason').fill('keys rotated out next week');
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await page.getByText(/Muted root-no-access-keys in 555555555555 \(1 findings\)/).waitFor();
  await page.getByRole('button', { name: 'Unmute' }).waitFor();
  const muted = await prisma.finding.findFirstOrThrow({
    where: { accountId: '555555555555', checkId: 'root-no-access-keys' },
  });
  t.equal(muted.muted, true, 'the API stored the mute');
  await shoot('findings-muted');
  await page.getByRole('button', { name: 'Unmute' }).click();
  await page.getByText('Unmuted root-no-access-keys in 555555555555.').waitFor();
  t.equal(await prisma.suppression.count(), 0);

  // Start a scan and watch it finish.
  await page.getByRole('link', { name: 'Scans' }).click();
  await page.getByRole('button', { name: 'Start a scan' }).click();
  await page.waitForURL(/#\/scans\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name: /^Scan [0-9a-f-]{36}$/ }).waitFor();
  await page.locator('.scan-progress .badge', { hasText: /SUCCEEDED|PARTIAL/ }).waitFor({ timeout: 60_000 });
  await page.getByText(/Compared with .*: \d+ new, \d+ resolved, \d+ reopened\./).waitFor();
  await shoot('scan');
  await accessibility(t, 'scan');
  await page.getByRole('link', { name: 'All scans' }).click();
  await page.locator('table tbody tr').nth(1).waitFor();
  t.equal(await page.locator('table tbody tr').count(), 2, 'the demo scan and this one');
  await shoot('scans');
  await accessibility(t, 'scans');
});

t.test('checks, root activity and settings pages', async (t) => {
  await page.getByRole('link', { name: 'Checks' }).click();
  await page
    .getByText(/Root user has MFA|root-mfa-enabled/)
    .first()
    .waitFor();
  await page.locator('.check-list summary').first().click();
  t.match(
    await page.locator('.check-list details[open]').first().textContent(),
    /Why it matters:.*Remediation/s,
  );
  await shoot('checks');
  await accessibility(t, 'checks');

  await page.getByRole('link', { name: 'Root activity' }).click();
  // The demo's root users act every 2 s: the timeline shows their events (reloaded until one came).
  const timeline = page.locator('ol.timeline');
  for (let tries = 0; tries < 20 && !(await timeline.isVisible()); tries += 1) {
    await page.waitForTimeout(500);
    await page.reload();
    await page.locator('ol.timeline').or(page.getByText('No root activity matches.')).first().waitFor();
  }
  t.match(
    await timeline.textContent(),
    /\d{4}-\d\d-\d\d \d\d:\d\d UTC — \w+ in \d{12} \([a-z]+-[a-z]+-\d\): (success|failure)/,
    'root events on the timeline',
  );
  t.notMatch(await page.locator('main').textContent(), /not available on this server/);
  await shoot('root-activity');
  await accessibility(t, 'root-activity');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  await page.getByRole('heading', { name: 'Suppressions' }).waitFor();
  const suppression = page.getByRole('form', { name: 'new suppression' });
  await suppression.getByLabel('Check id').fill('root-hardware-mfa');
  await suppression.getByLabel('Account id').fill('999999999999');
  await suppression.getByLabel('Reason').fill('sandbox, hardware MFA on order');
  await suppression.getByRole('button', { name: 'Add suppression' }).click();
  await page.getByText(/Suppression created: \d+ findings muted\./).waitFor();
  await page.getByRole('cell', { name: 'sandbox, hardware MFA on order', exact: true }).waitFor();
  await shoot('settings');
  await accessibility(t, 'settings');
  await page.getByRole('button', { name: 'delete suppression: sandbox, hardware MFA on order' }).click();
  await page.getByText('Suppression deleted').waitFor();
  t.equal(await prisma.suppression.count(), 0);
});

t.test('a key revoked while signed in signs the console out with the reason', async (t) => {
  const temporary = await createApiKey(prisma, { name: 'temporary', scope: 'read' });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(temporary.key);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await revokeApiKey(prisma, temporary.record.id);
  // The API remembers a verified key for 5 s (apps/api README, "API keys"): past that, it refuses it.
  await new Promise((resolve) => setTimeout(resolve, 5_500));
  await page.getByRole('link', { name: 'Checks' }).click();
  t.match(await page.getByRole('alert').textContent(), /You were signed out: unknown or revoked API key/);
  t.ok(await page.getByLabel('API key').isVisible(), 'the sign-in form, not a blank page');
  t.equal(await page.evaluate(() => sessionStorage.length), 0);
  await shoot('signed-out-revoked');
  await signIn(demo.writeKey);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
});

t.test('signing out, and what never happened', async (t) => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  t.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.goto(`${demo.url}/#/findings`);
  await page.getByLabel('API key').waitFor();
  t.equal(await page.locator('table').count(), 0, 'no data without a key');
  for (const key of [readKey, demo.writeKey, revoked.key]) {
    t.notOk(
      requested.some((url) => url.includes(key)),
      'no key in any URL the browser requested',
    );
  }
  t.ok(
    requested.every((url) => url.startsWith(demo.url) || url.startsWith('blob:') || url.startsWith('data:')),
    'only its own origin',
  );
  const refused = complaints.filter((text) => /Content Security Policy|Refused to/.test(text));
  t.same(refused, [], 'no CSP refusal');
  t.same(
    complaints.filter((text) => !/status of 40[19]|Failed to load resource/.test(text)),
    [],
    'no script error',
  );
});
