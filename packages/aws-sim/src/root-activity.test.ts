import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { matchesEventPattern } from '@rootaudit/checks';
import { isOwnPrivilegedSession, parseRootEvent, ROOT_EVENTS_RULE_PATTERN } from '@rootaudit/root-events';
import {
  privilegedSessionCallByAdmin,
  rootApiCallDenied,
  rootSignInFailed,
  rootSignInWithMfa,
} from '@rootaudit/root-events/fixtures';
import t from 'tap';
import { demoOrganization } from './demo.ts';
import { loadOrganization } from './fixture.ts';
import { generateOrganization } from './generate.ts';
import {
  ROOT_ACTIVITY_SCENARIOS,
  recordInEventHistory,
  rootActivity,
  simulateRootActivity,
} from './root-activity.ts';
import { startSimulator } from './server.ts';
import { credentialsOf, sdkClients } from './testing.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const fixedClock = () => {
  let tick = 0;
  return () => NOW + 1000 * tick++;
};

/**
 * Every key path of a JSON value, e.g. `detail.userIdentity.sessionContext.assumedRoot`; request
 * parameters count as one field, their members being each API's own.
 */
function paths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  if (prefix === 'detail.requestParameters') return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => paths(inner, prefix ? `${prefix}.${key}` : key));
}

t.test('every generated event parses as root activity and matches the rule pattern', async (t) => {
  const model = generateOrganization({ accounts: 300, seed: 11, now: NOW });
  const events = simulateRootActivity(model, { seed: 5, count: 2000, clock: fixedClock() });
  const seen = new Set<string>();
  let refused = 0;
  let unmatched = 0;
  let elsewhere = 0;
  for (const { envelope, scenario, accountId } of events) {
    const parsed = parseRootEvent(envelope);
    if (!parsed.ok) {
      refused++;
      if (refused < 4) t.fail(`${scenario}: ${parsed.reason}`);
      continue;
    }
    if (!matchesEventPattern(ROOT_EVENTS_RULE_PATTERN, envelope)) unmatched++;
    if (parsed.event.accountId !== accountId) elsewhere++;
    seen.add(scenario);
  }
  t.equal(refused, 0, 'parseRootEvent accepts all 2,000');
  t.equal(unmatched, 0, 'the rule pattern matches all 2,000');
  t.equal(elsewhere, 0, 'each in the account it happened in');
  t.same([...seen].sort(), [...ROOT_ACTIVITY_SCENARIOS].sort(), 'every scenario happened');
  const ids = events.flatMap(({ envelope }) => [envelope.id, String(envelope.detail.eventID)]);
  t.equal(new Set(ids).size, ids.length, 'event ids and envelope ids are unique');
  for (const id of ids.slice(0, 50))
    t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a v4 UUID');
});

t.test('each scenario reads as what it is', async (t) => {
  const model = loadOrganization(undefined, NOW);
  const events = simulateRootActivity(model, { seed: 3, count: 400, clock: fixedClock() });
  const auditIssuer = `arn:aws:iam::${model.organization.managementAccountId}:user/rootaudit`;
  const byScenario = new Map(events.map((e) => [e.scenario, e]));
  const parse = (scenario: (typeof ROOT_ACTIVITY_SCENARIOS)[number]) => {
    const found = byScenario.get(scenario);
    const parsed = found && parseRootEvent(found.envelope);
    if (!parsed?.ok) throw new Error(`${scenario} missing or refused`);
    return { ...parsed.event, account: model.accounts.find((a) => a.id === found?.accountId) };
  };
  const withMfa = parse('sign-in-with-mfa');
  t.match(withMfa, { kind: 'sign-in', mfaUsed: true, outcome: 'success', region: 'us-east-1' });
  t.ok(
    withMfa.account?.root.password && withMfa.account.root.mfa !== 'none',
    'an account with password and MFA',
  );
  const withoutMfa = parse('sign-in-without-mfa');
  t.match(withoutMfa, { kind: 'sign-in', mfaUsed: false, outcome: 'success' });
  t.equal(withoutMfa.account?.root.mfa, 'none');
  t.match(parse('sign-in-failed'), {
    kind: 'sign-in',
    outcome: 'failure',
    errorMessage: 'Failed authentication',
    errorCode: null,
  });
  const keyCall = parse('access-key-call');
  t.match(keyCall, { kind: 'api-call', outcome: 'success', mfaUsed: false, privilegedSession: null });
  const keys = keyCall.account?.root.accessKeys.filter((k) => k.active).map((k) => k.id);
  t.ok(
    keys?.includes(
      String((keyCall.raw.detail as { userIdentity: { accessKeyId: string } }).userIdentity.accessKeyId),
    ),
  );
  t.match(parse('access-key-call-denied'), {
    outcome: 'failure',
    errorCode: 'AccessDenied',
    errorMessage: /is not authorized to perform: .* with an explicit deny in a service control policy/,
  });
  const admin = parse('privileged-session-admin');
  t.match(admin.privilegedSession, { issuer: /:assumed-role\/AWSReservedSSO_AdministratorAccess/ });
  t.equal(isOwnPrivilegedSession(admin, auditIssuer), false, "an administrator's session is root usage");
  const own = parse('privileged-session-rootaudit');
  t.equal(isOwnPrivilegedSession(own, auditIssuer), true, "rootaudit's own audit is recognised");
  t.not(admin.accountId, model.organization.managementAccountId, 'AssumeRoot targets members only');
});

t.test('envelopes are shaped as the root-events fixtures (AWS documentation examples)', async (t) => {
  const model = loadOrganization(undefined, NOW);
  const events = simulateRootActivity(model, { seed: 9, count: 400, clock: fixedClock() });
  const sample = (scenario: string) => events.find((e) => e.scenario === scenario)?.envelope;
  // The fields each fixture carries; the simulated event carries them too (values differ).
  for (const [scenario, fixture] of [
    ['sign-in-with-mfa', rootSignInWithMfa],
    ['sign-in-failed', rootSignInFailed],
    ['access-key-call-denied', rootApiCallDenied],
    ['privileged-session-admin', privilegedSessionCallByAdmin],
  ] as const) {
    const simulated = new Set(paths(sample(scenario)));
    // The simulator writes no issuerType in inScopeOf: its value for AssumeRoot is unconfirmed.
    const missing = paths(fixture).filter(
      (path) => !simulated.has(path) && path !== 'detail.userIdentity.inScopeOf.issuerType',
    );
    t.same(missing, [], `${scenario}: every field of the fixture`);
  }
});

t.test('the same seed and clock give the same events; another seed others', async (t) => {
  const model = generateOrganization({ accounts: 50, seed: 2, now: NOW });
  const one = simulateRootActivity(model, { seed: 7, count: 30, clock: fixedClock() });
  const again = simulateRootActivity(model, { seed: 7, count: 30, clock: fixedClock() });
  const other = simulateRootActivity(model, { seed: 8, count: 30, clock: fixedClock() });
  t.same(again, one);
  t.notSame(
    other.map((e) => e.envelope.id),
    one.map((e) => e.envelope.id),
  );
});

t.test('scenarios no account can act out are refused, with the reason', async (t) => {
  const model = loadOrganization(undefined, NOW);
  model.organization.features = [];
  t.throws(() => rootActivity(model, { seed: 1, scenarios: ['privileged-session-admin'] }), {
    message: /no root activity can happen in o-sample12345: none of privileged-session-admin fits/,
  });
  const keyless = simulateRootActivity(model, { seed: 1, count: 100, scenarios: ['access-key-call'] });
  t.same(
    new Set(keyless.map((e) => e.accountId)),
    new Set(['555555555555']),
    'only the account with a root key',
  );
});

t.test(
  'an event recorded in the event history is the one LookupEvents serves, same eventID and record',
  async (t) => {
    const model = loadOrganization(undefined, Date.now());
    const sim = await startSimulator({ model, knobs: { lookupEventsRatePerSecond: null } });
    t.teardown(() => sim.stop());
    const next = rootActivity(sim.model, { seed: 4, scenarios: ['sign-in-without-mfa', 'access-key-call'] });
    const emitted = [next(), next(), next(), next()];
    for (const event of emitted) recordInEventHistory(sim.model, event);
    recordInEventHistory(sim.model, emitted[0] as (typeof emitted)[0]);
    const base = sdkClients(sim.endpoint);
    t.teardown(() => {
      for (const client of Object.values(base)) client.destroy();
    });
    for (const { accountId, envelope } of emitted) {
      const role = await base.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${accountId}:role/RootAuditRole`,
          RoleSessionName: 'lookup',
          ExternalId: sim.model.auditRole.externalId,
        }),
      );
      const clients = sdkClients(sim.endpoint, credentialsOf(role), envelope.region);
      const answer = await clients.cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: String(envelope.detail.eventID) }],
        }),
      );
      for (const client of Object.values(clients)) client.destroy();
      t.equal(answer.Events?.length, 1, `${envelope.detail.eventName} in ${accountId}: one event`);
      t.same(
        JSON.parse(answer.Events?.[0]?.CloudTrailEvent ?? '{}'),
        envelope.detail,
        'the record delivered live',
      );
    }
  },
);

t.test('the demo organization has accounts for every scenario', async (t) => {
  const model = demoOrganization({ now: NOW });
  const events = simulateRootActivity(model, { seed: 1, count: 300, clock: fixedClock() });
  t.same(new Set(events.map((e) => e.scenario)).size, ROOT_ACTIVITY_SCENARIOS.length);
});
