/** Everything under /v1: API-key auth first, then the resource routes. */
import type { PrismaClient } from '@rootaudit/db';
import type { Resolver } from '@rootaudit/webhooks';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authPlugin, type RateLimitOptions } from '../auth/plugin.ts';
import { accountRoutes } from './accounts.ts';
import { checkRoutes } from './checks.ts';
import { complianceRoutes } from './compliance.ts';
import { eventRoutes, type RootEventIngest } from './events.ts';
import { exportRoutes } from './export.ts';
import { findingRoutes } from './findings.ts';
import { rootActivityRoutes } from './root-activity.ts';
import { type ScanTrigger, scanRoutes } from './scans.ts';
import { summaryRoutes } from './summary.ts';
import { suppressionRoutes } from './suppressions.ts';
import { webhookRoutes } from './webhooks.ts';
import { whoamiRoutes } from './whoami.ts';

export interface V1Options {
  prisma: PrismaClient;
  rateLimit?: RateLimitOptions;
  failedAuthLimit?: RateLimitOptions;
  triggerScan?: ScanTrigger | undefined;
  ingestRootEvent?: RootEventIngest | undefined;
  allowPrivateWebhookUrls?: boolean | undefined;
  resolve?: Resolver | undefined;
}

/** The query string of a route that takes no query parameters: any parameter is a 400. */
const noQueryParameters = z.object({}).strict();

export async function v1Routes(app: FastifyInstance, options: V1Options): Promise<void> {
  // Write routes declare a body, not a query string; an unknown query parameter is still refused
  // (SPEC §4) rather than silently ignored.
  app.addHook('onRoute', (route) => {
    if (route.schema?.querystring === undefined) {
      route.schema = { ...route.schema, querystring: noQueryParameters };
    }
  });
  // Answers hold an organization's security posture: no cache (browser, proxy) may keep them, and
  // no browser may sniff a CSV or JSON answer into something it runs. Set first, so errors carry
  // them too.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  });
  await app.register(authPlugin, {
    prisma: options.prisma,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.failedAuthLimit ? { failedAuthLimit: options.failedAuthLimit } : {}),
  });
  const deps = { prisma: options.prisma };
  await app.register(findingRoutes, deps);
  await app.register(exportRoutes, deps);
  await app.register(accountRoutes, deps);
  await app.register(checkRoutes);
  await app.register(complianceRoutes, deps);
  await app.register(scanRoutes, { ...deps, triggerScan: options.triggerScan });
  await app.register(summaryRoutes, deps);
  await app.register(whoamiRoutes);
  await app.register(suppressionRoutes, deps);
  await app.register(rootActivityRoutes, deps);
  await app.register(eventRoutes, { ingestRootEvent: options.ingestRootEvent });
  await app.register(webhookRoutes, {
    ...deps,
    allowPrivateWebhookUrls: options.allowPrivateWebhookUrls,
    resolve: options.resolve,
  });
}
