import { checks } from '@rootaudit/checks';
import t from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { serveTestApi } from '../test-support.ts';

t.test('the catalog lists every check with remediation and mappings', async (t) => {
  const { prisma } = await testDatabase(t);
  const api = await serveTestApi(t, { prisma });
  t.equal((await api.get('/v1/checks', null)).status, 401);
  const response = await api.get('/v1/checks');
  t.equal(response.status, 200);
  const body = (await response.json()) as { items: Record<string, unknown>[]; nextCursor: null };
  t.equal(body.items.length, checks.length);
  t.equal(body.nextCursor, null);
  t.match(
    body.items.find((item) => item.id === 'root-mfa-enabled'),
    {
      title: String,
      severity: 'critical',
      scope: 'account',
      remediation: { console: Array, cli: String },
      references: Array,
      compliance: [{ framework: 'CIS AWS Foundations Benchmark', version: String, control: String }],
      evidence: Array,
    },
  );
  const orgOnly = (await (await api.get('/v1/checks?scope=organization')).json()) as {
    items: { scope: string }[];
  };
  t.ok(orgOnly.items.length > 0 && orgOnly.items.every((item) => item.scope === 'organization'));
  const critical = (await (await api.get('/v1/checks?severity=critical')).json()) as {
    items: { severity: string }[];
  };
  t.ok(critical.items.length > 0 && critical.items.every((item) => item.severity === 'critical'));
  t.equal((await api.get('/v1/checks?severity=urgent')).status, 400);

  const one = await api.get('/v1/checks/root-no-access-keys');
  t.equal(one.status, 200);
  t.match(await one.json(), { id: 'root-no-access-keys', compliance: Array });
  const missing = await api.get('/v1/checks/root-is-happy');
  t.equal(missing.status, 404);
  t.match(await missing.json(), { statusCode: 404, message: /no check "root-is-happy"/ });
  t.equal((await api.get('/v1/checks/Bad_Id')).status, 400);
});
