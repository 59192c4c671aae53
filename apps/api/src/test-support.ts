/** Test helpers: the API on a random port over a test database, keys, and fixture rows. */
import type { Prisma, PrismaClient } from '@rootaudit/db';
import { createLogger } from '@rootaudit/log';
import { type ApiKeyScope, createApiKey } from '@rootaudit/store';
import type { Test } from 'tap';
import { testDatabase } from '../../../test/support/db.ts';
import { type ApiOptions, buildApi } from './server.ts';

export interface TestApi {
  url: string;
  prisma: PrismaClient;
  /** A fresh key with this scope. */
  key(scope?: ApiKeyScope): Promise<string>;
  /** GET with a read key unless `key` is given (null = no Authorization header). */
  get(path: string, key?: string | null): Promise<Response>;
  /** A JSON request with a write key unless `key` is given. */
  send(method: string, path: string, body?: unknown, key?: string): Promise<Response>;
}

export async function serveTestApi(
  t: Test,
  options: {
    /** The database [a fresh test database]. */
    prisma?: PrismaClient;
    /** buildApi options over the test defaults (silent logger, always ready). */
    api?: Partial<Omit<ApiOptions, 'prisma'>>;
  } = {},
): Promise<TestApi> {
  const prisma = options.prisma ?? (await testDatabase(t)).prisma;
  const app = await buildApi({
    logger: createLogger({ level: 'silent' }),
    readiness: async () => ({ ready: true }),
    ...options.api,
    prisma,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  let readKey: string | undefined;
  let writeKey: string | undefined;
  const key = async (scope: ApiKeyScope = 'read') =>
    (await createApiKey(prisma, { name: `test-${scope}`, scope })).key;
  return {
    url,
    prisma,
    key,
    async get(path, presented) {
      if (presented === undefined) readKey ??= await key('read');
      const token = presented === undefined ? readKey : presented;
      return fetch(`${url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    },
    async send(method, path, body, presented) {
      writeKey ??= await key('write');
      const headers: Record<string, string> = { authorization: `Bearer ${presented ?? writeKey}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
  };
}

export const ROOT_ID = 'r-ab12';
export const OU_PROD = 'ou-ab12-prod0001';
export const OU_DEV = 'ou-ab12-dev00001';

/** An organization with a root, two OUs (prod, dev) and no accounts. */
export async function insertOrganization(prisma: PrismaClient): Promise<void> {
  await prisma.organization.create({
    data: {
      id: 'o-abcdefghij',
      arn: 'arn:aws:organizations::111111111111:organization/o-abcdefghij',
      featureSet: 'ALL',
      managementAccountId: '111111111111',
      rootId: ROOT_ID,
    },
  });
  await prisma.organizationalUnit.createMany({
    data: [
      { id: ROOT_ID, organizationId: 'o-abcdefghij', name: 'Root', path: `/${ROOT_ID}/` },
      {
        id: OU_PROD,
        organizationId: 'o-abcdefghij',
        parentId: ROOT_ID,
        name: 'Prod',
        path: `/${ROOT_ID}/${OU_PROD}/`,
      },
      {
        id: OU_DEV,
        organizationId: 'o-abcdefghij',
        parentId: ROOT_ID,
        name: 'Dev',
        path: `/${ROOT_ID}/${OU_DEV}/`,
      },
    ],
  });
}

export async function insertAccount(
  prisma: PrismaClient,
  id: string,
  ou: string | null,
  extra: Partial<Prisma.AccountUncheckedCreateInput> = {},
): Promise<void> {
  const path = ou === null ? null : ou === ROOT_ID ? `/${ROOT_ID}/` : `/${ROOT_ID}/${ou}/`;
  await prisma.account.create({
    data: {
      id,
      organizationId: 'o-abcdefghij',
      name: `account-${id}`,
      email: `aws+${id}@example.com`,
      status: 'ACTIVE',
      ouId: ou,
      ouPath: path,
      ...extra,
    },
  });
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export async function insertFinding(
  prisma: PrismaClient,
  fields: Pick<Prisma.FindingUncheckedCreateInput, 'accountId' | 'checkId' | 'status'> &
    Partial<Prisma.FindingUncheckedCreateInput>,
): Promise<string> {
  const at = fields.statusChangedAt ?? new Date('2026-11-01T02:00:00Z');
  const finding = await prisma.finding.create({
    data: {
      resource: rootArn(fields.accountId),
      severity: 'high',
      message: `${fields.checkId} is ${fields.status}`,
      firstSeenAt: at,
      lastSeenAt: at,
      statusChangedAt: at,
      ...fields,
    },
  });
  return finding.id;
}
