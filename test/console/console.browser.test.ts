/**
 * The web console in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * service: `rootaudit demo` (API, scheduler and worker) on this test's PostgreSQL, scanning the
 * simulator's sample organization. Signs in with bad, revoked, read and write keys, reads every
 * page (axe-core on each: no serious or critical violation), filters findings, opens an account,
 * mutes and unmutes a finding, exports CSV, starts a scan and watches it finish, and signs out.
 * Screenshots of every page go to test-results/console/ (not committed) for a person to look at.
 */
import { existsSync } from 'node:fs';
import t from 'tap';
import { CHROMIUM } from './chromium.ts';

// About a minute alone (the demo's start and first scan, then a second scan watched in the
// browser); on a machine loaded by other test files it can take several.
t.setTimeout(6 * 60_000);

if (existsSync(CHROMIUM)) {
  await import('./browser-session.ts');
} else {
  // Only when the browser cannot be had: everything else about the console is tested over HTTP.
  t.test(
    'the web console in Chromium',
    { skip: `Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium` },
    () => {},
  );
}
