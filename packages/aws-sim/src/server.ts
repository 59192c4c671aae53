import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log.ts';
import type { CallContext, Principal, ServiceHandlers, SimulatorState } from './context.ts';
import { type CallMatcher, type Knobs, matches, TokenBuckets } from './knobs.ts';
import { indexModel, type ModelIndex, type OrganizationModel, validateModel } from './model.ts';
import { parseQuery, queryError, queryResponse, SimError, toJson } from './protocol.ts';
import { account } from './services/account.ts';
import { cloudtrail } from './services/cloudtrail.ts';
import { cloudwatch } from './services/cloudwatch.ts';
import { eventbridge } from './services/eventbridge.ts';
import { guardduty } from './services/guardduty.ts';
import { checkRootSession, iam } from './services/iam.ts';
import { logs } from './services/logs.ts';
import { organizations } from './services/organizations.ts';
import { sns } from './services/sns.ts';
import { principalFor, sts } from './services/sts.ts';

type Protocol = 'query' | 'json' | 'json-query-compatible' | 'rest-json';

interface ServiceSpec {
  protocol: Protocol;
  handlers: ServiceHandlers;
  /** awsQuery: the response namespace. */
  xmlns?: string;
  /**
   * awsJson: every X-Amz-Target prefix AWS accepts before `.<Operation>`: the model's
   * `targetPrefix` and, where it is longer, its last segment (what SDK v3 sends).
   */
  targets?: string[];
  version?: string;
  accessDenied: { code: string; status: number };
  throttling: { code: string; status: number };
}

const SERVICES: Record<string, ServiceSpec> = {
  iam: {
    protocol: 'query',
    handlers: iam,
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    version: '2010-05-08',
    accessDenied: { code: 'AccessDenied', status: 403 },
    throttling: { code: 'Throttling', status: 400 },
  },
  sts: {
    protocol: 'query',
    handlers: sts,
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    version: '2011-06-15',
    accessDenied: { code: 'AccessDenied', status: 403 },
    throttling: { code: 'Throttling', status: 400 },
  },
  sns: {
    protocol: 'query',
    handlers: sns,
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    version: '2010-03-31',
    accessDenied: { code: 'AuthorizationError', status: 403 },
    // SNS's own throttling error (ThrottledException on the wire as `Throttled`, HTTP 429).
    throttling: { code: 'Throttled', status: 429 },
  },
  organizations: {
    protocol: 'json',
    handlers: organizations,
    targets: ['AWSOrganizationsV20161128'],
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'TooManyRequestsException', status: 400 },
  },
  cloudtrail: {
    protocol: 'json',
    handlers: cloudtrail,
    targets: ['CloudTrail_20131101', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101'],
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'ThrottlingException', status: 400 },
  },
  logs: {
    protocol: 'json',
    handlers: logs,
    targets: ['Logs_20140328'],
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'ThrottlingException', status: 400 },
  },
  events: {
    protocol: 'json',
    handlers: eventbridge,
    targets: ['AWSEvents'],
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    throttling: { code: 'ThrottlingException', status: 400 },
  },
  monitoring: {
    protocol: 'json-query-compatible',
    handlers: cloudwatch,
    targets: ['GraniteServiceVersion20100801'],
    xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    version: '2010-08-01',
    accessDenied: { code: 'AccessDenied', status: 403 },
    throttling: { code: 'Throttling', status: 400 },
  },
  guardduty: {
    protocol: 'rest-json',
    handlers: guardduty,
    accessDenied: { code: 'AccessDeniedException', status: 403 },
    // GuardDuty's model declares no throttling error: AWS's common ThrottlingException (400).
    throttling: { code: 'ThrottlingException', status: 400 },
  },
  account: {
    protocol: 'rest-json',
    handlers: account,
    accessDenied: { code: 'AccessDeniedException', status: 403 },
    throttling: { code: 'TooManyRequestsException', status: 429 },
  },
};

const TARGET_TO_SERVICE = new Map(
  Object.entries(SERVICES).flatMap(([name, spec]) =>
    (spec.targets ?? []).map((prefix): [string, string] => [prefix, name]),
  ),
);

/** `<prefix>.<Operation>`: the operation is what follows the last dot, whatever the prefix's form. */
function splitTarget(target: unknown): { prefix: string; operation: string } {
  if (typeof target !== 'string') return { prefix: '', operation: '' };
  const dot = target.lastIndexOf('.');
  return { prefix: target.slice(0, Math.max(dot, 0)), operation: target.slice(dot + 1) };
}

/** awsQuery services by API version; CloudWatch too, which AWS still serves over awsQuery. */
const VERSION_TO_SERVICE = new Map(
  Object.entries(SERVICES)
    .filter(([, spec]) => spec.version)
    .map(([name, spec]) => [spec.version as string, name]),
);

export interface SimulatorOptions {
  model: OrganizationModel;
  knobs?: Knobs;
  /** Default: a free port. */
  port?: number;
  host?: string;
  /** How many call records the log keeps (totals keep counting). Default 200,000. */
  callLogCapacity?: number;
}

export interface Simulator {
  /** http://host:port, for the SDK's `endpoint` or AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  callLog: CallLog;
  model: OrganizationModel;
  knobs: Knobs;
  /** Replaces the knobs (throttle buckets and error bursts start over). */
  setKnobs(knobs: Knobs): void;
  /** Re-indexes after the model was changed in place (accounts, OUs or policies added/removed). */
  reindex(): void;
  /** Forgets sessions and credential reports. */
  reset(): void;
  stop(): Promise<void>;
}

interface ParsedRequest {
  service: string;
  spec: ServiceSpec;
  /** The request's wire protocol: the service's, or awsQuery for a query-compatible service sent a form. */
  protocol: Protocol;
  operation: string;
  input: Record<string, unknown>;
  region: string;
  accessKeyId: string;
  path?: string[];
  query?: URLSearchParams;
}

function targetAccountOf(parsed: ParsedRequest): string | undefined {
  const { input } = parsed;
  const raw =
    parsed.operation === 'AssumeRole'
      ? input.RoleArn
      : parsed.operation === 'AssumeRoot'
        ? input.TargetPrincipal
        : parsed.operation === 'GetAlternateContact'
          ? input.AccountId
          : undefined;
  return typeof raw === 'string' ? /(\d{12})/.exec(raw)?.[1] : undefined;
}

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

function parseRequest(req: http.IncomingMessage, body: string): ParsedRequest {
  const auth = req.headers.authorization ?? '';
  const scope = SCOPE.exec(auth);
  const accessKeyId = scope?.[1] ?? '';
  const region = scope?.[2] ?? 'us-east-1';
  const target = req.headers['x-amz-target'];
  const url = new URL(req.url ?? '/', 'http://simulator');
  let service = scope?.[3];
  if (!service && typeof target === 'string') service = TARGET_TO_SERVICE.get(splitTarget(target).prefix);
  let form: Record<string, unknown> | undefined;
  // Query-compatible services (CloudWatch) take awsJson with a target, or an awsQuery form without.
  const formSent = typeof target !== 'string';
  const serviceProtocol = service ? SERVICES[service]?.protocol : undefined;
  if (!service || serviceProtocol === 'query' || (serviceProtocol === 'json-query-compatible' && formSent)) {
    form = parseQuery(body);
    service ??= VERSION_TO_SERVICE.get(String(form.Version));
  }
  if (!service && url.pathname.startsWith('/detector')) service = 'guardduty';
  if (!service && url.pathname === '/getAlternateContact') service = 'account';
  const spec = service ? SERVICES[service] : undefined;
  if (!service || !spec)
    throw new SimError('UnknownService', `No simulated service for ${service ?? 'this request'}`);

  const protocol: Protocol = spec.protocol === 'json-query-compatible' && form ? 'query' : spec.protocol;
  const base = { service, spec, protocol, region, accessKeyId };
  switch (protocol) {
    case 'query': {
      const input = form ?? parseQuery(body);
      const { Action, Version: _v, ...rest } = input;
      return { ...base, operation: String(Action ?? ''), input: rest };
    }
    case 'json':
    case 'json-query-compatible': {
      const { operation } = splitTarget(target);
      return { ...base, operation, input: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
    }
    case 'rest-json': {
      const path = url.pathname.split('/').filter(Boolean);
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      let operation = '';
      if (service === 'guardduty' && req.method === 'GET' && path[0] === 'detector') {
        operation = path.length === 1 ? 'ListDetectors' : path.length === 2 ? 'GetDetector' : '';
      } else if (service === 'account' && req.method === 'POST' && path[0] === 'getAlternateContact') {
        operation = 'GetAlternateContact';
      }
      return { ...base, operation, input, path, query: url.searchParams };
    }
  }
}

function send(
  res: http.ServerResponse,
  parsed: ParsedRequest | undefined,
  requestId: string,
  status: number,
  body: string,
  extraHeaders: Record<string, string> = {},
) {
  const protocol = parsed?.protocol ?? 'json';
  const contentType =
    protocol === 'query'
      ? 'text/xml'
      : protocol === 'rest-json'
        ? 'application/json'
        : protocol === 'json-query-compatible'
          ? 'application/x-amz-json-1.0'
          : 'application/x-amz-json-1.1';
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
    ...extraHeaders,
  });
  res.end(body);
}

function sendError(
  res: http.ServerResponse,
  parsed: ParsedRequest | undefined,
  requestId: string,
  error: SimError,
) {
  const protocol = parsed?.protocol ?? 'json';
  if (protocol === 'query') {
    send(res, parsed, requestId, error.status, queryError(error, requestId));
    return;
  }
  const headers: Record<string, string> = { 'x-amzn-errortype': error.code };
  if (protocol === 'json-query-compatible') headers['x-amzn-query-error'] = `${error.code};${error.sender}`;
  send(
    res,
    parsed,
    requestId,
    error.status,
    JSON.stringify({ __type: error.code, message: error.message }),
    headers,
  );
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  validateModel(options.model);
  let index: ModelIndex = indexModel(options.model);
  const callLog = new CallLog(options.callLogCapacity);
  const buckets = new TokenBuckets();
  let errorBurstsUsed = new Map<number, number>();
  const state: SimulatorState = {
    sessions: new Map(),
    credentialReports: new Map(),
    sessionCounter: 0,
    knobs: options.knobs ?? {},
  };

  /** Knob-driven failures, in the order AWS would produce them. */
  function applyFaults(parsed: ParsedRequest, principal: Principal, now: number): void {
    const { accountId } = principal;
    const { knobs } = state;
    const { service, operation, spec } = parsed;
    // Faults also match the account a call reaches into: AssumeRole(Root)'s target, GetAlternateContact's AccountId.
    const target = targetAccountOf(parsed);
    const hits = (matcher: CallMatcher) =>
      matches(matcher, service, operation, accountId) ||
      (target !== undefined && matches(matcher, service, operation, target));
    const bursts = knobs.faults?.serverErrors ?? [];
    for (let i = 0; i < bursts.length; i++) {
      const burst = bursts[i];
      if (!burst || !hits(burst)) continue;
      const used = errorBurstsUsed.get(i) ?? 0;
      if (used < burst.count) {
        errorBurstsUsed.set(i, used + 1);
        const status = burst.status ?? 500;
        throw new SimError(
          status === 503 ? 'ServiceUnavailable' : 'InternalFailure',
          'The request processing has failed because of an unknown error, exception or failure.',
          status,
        );
      }
    }
    for (const rule of knobs.faults?.accessDenied ?? []) {
      if (hits(rule)) {
        throw new SimError(
          spec.accessDenied.code,
          `User: ${principal.arn} is not authorized to perform: ${service}:${operation}${target ? ` on account ${target}` : ''}`,
          spec.accessDenied.status,
        );
      }
    }
    const throttled = (key: string, rate: number, burst: number) => !buckets.take(key, rate, burst, now);
    const rules = knobs.throttling ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (!rule || !matches(rule, service, operation, accountId)) continue;
      if (throttled(`${i}:${accountId}:${service}:${operation}`, rule.ratePerSecond, rule.burst)) {
        throw new SimError(spec.throttling.code, 'Rate exceeded', spec.throttling.status);
      }
    }
    const lookupRate = knobs.lookupEventsRatePerSecond === undefined ? 2 : knobs.lookupEventsRatePerSecond;
    if (service === 'cloudtrail' && operation === 'LookupEvents' && lookupRate !== null) {
      if (throttled(`lookup:${accountId}:${parsed.region}`, lookupRate, Math.max(1, lookupRate))) {
        throw new SimError(spec.throttling.code, 'Rate exceeded', spec.throttling.status);
      }
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const requestId = randomUUID();
    const at = Date.now();
    let parsed: ParsedRequest | undefined;
    let accountId = '';
    let principalKind: 'base' | 'role' | 'root' = 'base';
    let failure: SimError | undefined;
    try {
      const latency = state.knobs.latency;
      if (latency && (latency.fixedMs > 0 || (latency.jitterMs ?? 0) > 0)) {
        await sleep(latency.fixedMs + Math.random() * (latency.jitterMs ?? 0));
      }
      parsed = parseRequest(req, body);
      const handler = parsed.spec.handlers[parsed.operation];
      const principal = principalFor(
        parsed.accessKeyId,
        state.sessions,
        index.model.organization.managementAccountId,
      );
      accountId = principal.accountId;
      principalKind = principal.kind;
      if (!handler) {
        throw new SimError(
          parsed.protocol === 'query' ? 'InvalidAction' : 'UnknownOperationException',
          `The action ${parsed.operation} is not valid for this web service.`,
        );
      }
      const account = index.accounts.get(principal.accountId);
      if (!account) {
        throw new SimError(
          parsed.protocol === 'query' ? 'InvalidClientTokenId' : 'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          parsed.protocol === 'query' ? 403 : 400,
        );
      }
      const now = Date.now();
      applyFaults(parsed, principal, now);
      const ctx: CallContext = {
        service: parsed.service,
        operation: parsed.operation,
        input: parsed.input,
        region: parsed.region,
        principal,
        account,
        index,
        now,
        state,
        path: parsed.path,
        query: parsed.query,
      };
      if (parsed.service === 'iam') checkRootSession(ctx);
      else if (principal.kind === 'root') {
        throw new SimError(
          parsed.spec.accessDenied.code,
          `Root sessions may only call IAM audit actions`,
          parsed.spec.accessDenied.status,
        );
      }
      const result = handler(ctx) as Record<string, unknown> | undefined;
      const spec = parsed.spec;
      const text =
        parsed.protocol === 'query'
          ? queryResponse(parsed.operation, spec.xmlns ?? '', result, requestId)
          : toJson(result ?? {});
      send(res, parsed, requestId, 200, text);
    } catch (caught) {
      failure =
        caught instanceof SimError
          ? caught
          : new SimError('InternalFailure', caught instanceof Error ? caught.message : String(caught), 500);
      sendError(res, parsed, requestId, failure);
    }
    callLog.record({
      at,
      service: parsed?.service ?? 'unknown',
      operation: parsed?.operation ?? 'unknown',
      accountId,
      region: parsed?.region ?? '',
      accessKeyId: parsed?.accessKeyId ?? '',
      principalKind,
      status: failure?.status ?? 200,
      ...(failure && { errorCode: failure.code }),
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://${host}:${port}`,
    port,
    callLog,
    get model() {
      return index.model;
    },
    get knobs() {
      return state.knobs;
    },
    setKnobs(knobs: Knobs) {
      state.knobs = knobs;
      buckets.clear();
      errorBurstsUsed = new Map();
    },
    reindex() {
      validateModel(index.model);
      index = indexModel(index.model);
    },
    reset() {
      state.sessions.clear();
      state.credentialReports.clear();
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
