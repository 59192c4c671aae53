// The stored organization evidence: what a discovery reads from the simulator comes back exactly,
// through JSON text as PostgreSQL's jsonb keeps it, for every organization evidence key, read or failed.
import { loadOrganization, startSimulator } from '@rootaudit/aws-sim';
import { checks, organizationEvidenceKeys } from '@rootaudit/checks';
import t from 'tap';
import type { OrganizationEvidence } from './evidence-cache.ts';
import { failedEvidence } from './evidence-cache.ts';
import {
  decodeOrganizationEvidence,
  encodeOrganizationEvidence,
  ORGANIZATION_EVIDENCE_FORMAT,
  OrganizationEvidenceCodecError,
} from './evidence-codec.ts';
import { collectOrganizationEvidence } from './scan-organization.ts';
import { simulatorClients } from './testing.ts';

const throughJson = (evidence: OrganizationEvidence) =>
  decodeOrganizationEvidence(JSON.parse(JSON.stringify(encodeOrganizationEvidence(evidence))));

t.test('every organization evidence key a discovery reads round-trips', async (t) => {
  const model = loadOrganization();
  const sim = await startSimulator({ model });
  t.teardown(() => sim.stop());
  const evidence = await collectOrganizationEvidence({ checks, clients: simulatorClients(t, sim, 'codec') });
  t.same(Object.keys(evidence).sort(), [...organizationEvidenceKeys].sort(), 'the catalog needs every key');
  for (const key of organizationEvidenceKeys) t.equal(evidence[key]?.ok, true, `${key} was read`);
  t.strictSame(throughJson(evidence), evidence);
});

t.test('failed evidence round-trips with its error, region included', async (t) => {
  const evidence = Object.fromEntries(
    organizationEvidenceKeys.map((key) => [
      key,
      failedEvidence(
        key,
        {
          action: `organizations:${key}`,
          code: 'AccessDeniedException',
          message: `no ${key}`,
          region: 'us-east-1',
        },
        ['us-east-1'],
      ),
    ]),
  ) as OrganizationEvidence;
  t.strictSame(throughJson(evidence), evidence);
});

t.test('a Date comes back a Date; an absent optional field stays absent', async (t) => {
  const joined = new Date('2024-02-03T04:05:06.789Z');
  const evidence = {
    organizationFeatures: { ok: true, value: { rootCredentialsManagement: false, rootSessions: true } },
    organizationTrails: { ok: true, value: { trails: [], readAt: joined, note: undefined } },
  } as unknown as OrganizationEvidence;
  const back = throughJson(evidence) as unknown as {
    organizationTrails: { value: { readAt: Date; note?: unknown } };
  };
  t.ok(back.organizationTrails.value.readAt instanceof Date);
  t.equal(back.organizationTrails.value.readAt.getTime(), joined.getTime());
  t.notOk('note' in back.organizationTrails.value);
});

t.test('what JSON would change is refused at encoding, naming where it is', async (t) => {
  const bad = (value: unknown) =>
    ({ organizationTrails: { ok: true, value: { trails: [value] } } }) as unknown as OrganizationEvidence;
  t.throws(() => encodeOrganizationEvidence(bad(new Map())), {
    name: 'OrganizationEvidenceCodecError',
    message: 'organizationTrails.value.trails[0] is a Map, which JSON cannot hold',
  });
  t.throws(() => encodeOrganizationEvidence(bad(Number.NaN)), /trails\[0\] is NaN/);
  t.throws(() => encodeOrganizationEvidence(bad(undefined)), /trails\[0\] is undefined/);
  t.throws(() => encodeOrganizationEvidence(bad(10n)), /trails\[0\] is a bigint/);
  t.throws(
    () =>
      encodeOrganizationEvidence({
        credentialReport: { ok: true, value: {} },
      } as unknown as OrganizationEvidence),
    /credentialReport is not organization evidence/,
  );
});

t.test('a stored document that is not evidence of this format is refused, saying why', async (t) => {
  const refused = (stored: unknown, message: RegExp) =>
    t.throws(() => decodeOrganizationEvidence(stored), OrganizationEvidenceCodecError) &&
    t.throws(() => decodeOrganizationEvidence(stored), message);
  refused(null, /not of format 1/);
  refused({ format: 2, evidence: {} }, /not of format 1/);
  refused(
    { format: ORGANIZATION_EVIDENCE_FORMAT, evidence: { rootEvents: { ok: true, value: {} } } },
    /unknown key rootEvents/,
  );
  refused(
    { format: ORGANIZATION_EVIDENCE_FORMAT, evidence: { organization: { ok: true } } },
    /organization is malformed/,
  );
  refused(
    { format: ORGANIZATION_EVIDENCE_FORMAT, evidence: { organization: { ok: false, error: { code: 'X' } } } },
    /organization is malformed/,
  );
});
