/**
 * POST /v1/events/aws over real HTTP, a real PostgreSQL and pg-boss, with real API keys: the
 * ingest scope (only it may post events; it may do nothing else), what each kind of event gets,
 * and that the same event posted again or at once is one event.
 */
import { createLogger } from '@rootaudit/log';
import { startQueue, stopQueue } from '@rootaudit/queue';
import {
  iamUserApiCall,
  MEMBER_ACCOUNT,
  privilegedSessionCallByRootaudit,
  ROOTAUDIT_ORG_ROLE,
  rootSignInWithMfa,
  rootSignInWithoutMfa,
} from '@rootaudit/root-events/fixtures';
import { ingestRootEvent } from '@rootaudit/service';
import t, { type Test } from 'tap';
import { testDatabase } from '../../../../test/support/db.ts';
import { insertAccount, insertOrganization, OU_PROD, serveTestApi } from '../test-support.ts';

const logger = createLogger({ level: 'silent' });

async function setUp(t: Test) {
  const { url, prisma } = await testDatabase(t);
  const boss = await startQueue(url, logger);
  t.teardown(() => stopQueue(boss, { timeoutMs: 5_000 }));
  await insertOrganization(prisma);
  await insertAccount(prisma, MEMBER_ACCOUNT, OU_PROD);
  const api = await serveTestApi(t, {
    prisma,
    api: {
      allowPrivateWebhookUrls: true,
      ingestRootEvent: (envelope) =>
        ingestRootEvent({ prisma, boss, logger, auditIssuer: ROOTAUDIT_ORG_ROLE }, envelope),
    },
  });
  const ingestKey = await api.key('ingest');
  const post = (body: unknown, key = ingestKey) => api.send('POST', '/v1/events/aws', body, key);
  return { prisma, api, ingestKey, post };
}

async function written(prisma: Awaited<ReturnType<typeof setUp>>['prisma']) {
  return {
    rootEvents: await prisma.rootEvent.count(),
    findings: await prisma.finding.count(),
    deliveries: await prisma.webhookDelivery.count(),
  };
}

t.test('an ingest key may POST /v1/events/aws and nothing else; no other key may post events', async (t) => {
  const { api, ingestKey, post } = await setUp(t);
  const document = (await (await api.get('/docs/json')).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  let refused = 0;
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of Object.keys(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      if (method === 'post' && path === '/v1/events/aws') continue;
      const url = path.replace(/\{[^}]+\}/g, '0190a000-0000-7000-8000-000000000000');
      const response =
        method === 'get'
          ? await api.get(url, ingestKey)
          : await api.send(method.toUpperCase(), url, {}, ingestKey);
      t.equal(response.status, 403, `${method.toUpperCase()} ${path}`);
      t.same(
        await response.json(),
        {
          statusCode: 403,
          error: 'Forbidden',
          message: 'an API key with the "ingest" scope may only POST /v1/events/aws',
        },
        `${method.toUpperCase()} ${path}`,
      );
      refused++;
    }
  }
  t.ok(refused >= 19, `${refused} operations refused to an ingest key`);

  for (const scope of ['read', 'write'] as const) {
    const response = await post(rootSignInWithMfa, await api.key(scope));
    t.equal(response.status, 403, `a ${scope} key`);
    t.same(await response.json(), {
      statusCode: 403,
      error: 'Forbidden',
      message: 'this route needs an API key with the "ingest" scope',
    });
  }
  t.equal((await post(rootSignInWithMfa, 'ra_not-a-key')).status, 401);
  t.equal((await post(rootSignInWithMfa)).status, 200, 'the ingest key');
});

t.test(
  'a root event is 200 stored, then duplicate, and is one event however often it is posted',
  async (t) => {
    const { prisma, api, post } = await setUp(t);
    const created = await api.send('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['root.activity', 'finding.failed'],
    });
    t.equal(created.status, 201, 'a webhook may subscribe to root.activity');

    const first = await post(rootSignInWithoutMfa);
    t.equal(first.status, 200);
    t.same(await first.json(), {
      status: 'stored',
      eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
      accountId: MEMBER_ACCOUNT,
    });
    for (let again = 0; again < 2; again++) {
      const response = await post(rootSignInWithoutMfa);
      t.equal(response.status, 200);
      t.match(await response.json(), {
        status: 'duplicate',
        eventId: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79a1',
      });
    }
    const concurrent = await Promise.all([1, 2, 3].map(() => post(rootSignInWithMfa)));
    const statuses = await Promise.all(
      concurrent.map(async (response) => [
        response.status,
        ((await response.json()) as { status: string }).status,
      ]),
    );
    t.same(statuses.map((status) => status.join(' ')).sort(), [
      '200 duplicate',
      '200 duplicate',
      '200 stored',
    ]);
    t.same(await written(prisma), { rootEvents: 2, findings: 1, deliveries: 3 });
    const finding = await prisma.finding.findFirstOrThrow({ where: { checkId: 'root-signin-activity' } });
    t.equal(finding.status, 'FAIL', 'root-signin-activity is FAIL at once');
  },
);

t.test('non-root and malformed events are 400 with the reason; nothing is written', async (t) => {
  const { prisma, post } = await setUp(t);
  const iamUser = await post(iamUserApiCall);
  t.equal(iamUser.status, 400);
  t.same(await iamUser.json(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'not a root identity: detail.userIdentity.type is "IAMUser", not "Root"',
  });
  const wrongAccount = structuredClone(rootSignInWithMfa);
  wrongAccount.account = '12345';
  const malformed = await post(wrongAccount);
  t.equal(malformed.status, 400);
  t.match(await malformed.json(), { statusCode: 400, error: 'Bad Request', message: /account/ });
  const notAnObject = await post([rootSignInWithMfa]);
  t.equal(notAnObject.status, 400);
  t.match(await notAnObject.json(), { statusCode: 400, error: 'Bad Request' });
  t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0 });
});

t.test('an event larger than EventBridge allows is 413', async (t) => {
  const { prisma, post } = await setUp(t);
  const huge = structuredClone(rootSignInWithMfa) as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };
  huge.detail.requestParameters = { padding: 'x'.repeat(400 * 1024) };
  const response = await post(huge);
  t.equal(response.status, 413);
  t.match(await response.json(), { statusCode: 413, error: 'Payload Too Large' });
  t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0 });
  // A large event within the limit is taken.
  const large = structuredClone(rootSignInWithMfa) as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };
  large.detail.requestParameters = { padding: 'x'.repeat(250 * 1024) };
  t.equal((await post(large)).status, 200);
});

t.test(
  'an account outside the organization and an own session: 200, not stored, counted in /metrics',
  async (t) => {
    const { prisma, api, post } = await setUp(t);
    const foreign = structuredClone(rootSignInWithMfa) as Record<string, unknown> & {
      detail: Record<string, unknown> & { userIdentity: Record<string, unknown> };
    };
    foreign.account = '444455556666';
    foreign.detail.recipientAccountId = '444455556666';
    foreign.detail.userIdentity.accountId = '444455556666';
    foreign.detail.userIdentity.principalId = '444455556666';
    foreign.detail.userIdentity.arn = 'arn:aws:iam::444455556666:root';
    const response = await post(foreign);
    t.equal(response.status, 200);
    t.same(await response.json(), {
      status: 'foreign-account',
      eventId: '3fcfb182-98f8-4744-bd45-10a395ab61cb',
      accountId: '444455556666',
    });
    const own = await post(privilegedSessionCallByRootaudit);
    t.equal(own.status, 200);
    t.match(await own.json(), { status: 'own-session', accountId: MEMBER_ACCOUNT });
    t.same(await written(prisma), { rootEvents: 0, findings: 0, deliveries: 0 });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    t.match(metrics, /^rootaudit_root_events_ignored_total\{reason="foreign-account"\} 1$/m);
    t.match(metrics, /^rootaudit_root_events_ignored_total\{reason="own-session"\} 1$/m);
  },
);

t.test('without a queue the route answers 503 and writes nothing', async (t) => {
  const { prisma } = await testDatabase(t);
  const api = await serveTestApi(t, { prisma });
  const response = await api.send('POST', '/v1/events/aws', rootSignInWithMfa, await api.key('ingest'));
  t.equal(response.status, 503);
  t.equal(await prisma.rootEvent.count(), 0);
});

t.test('the OpenAPI document describes the route and root.activity webhooks', async (t) => {
  const { prisma } = await testDatabase(t);
  const api = await serveTestApi(t, { prisma });
  const document = (await (await api.get('/docs/json')).json()) as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
  };
  const route = document.paths['/v1/events/aws']?.post;
  t.ok(route?.requestBody, 'POST /v1/events/aws has a body schema');
  t.ok(route?.responses?.['200'] && route.responses['400'], 'its answers are documented');
  t.match(JSON.stringify(document.paths['/v1/webhooks']?.post?.requestBody), /root\.activity/);
});
