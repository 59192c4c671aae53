import type { Knobs } from './knobs.ts';
import type { AccountModel, ModelIndex } from './model.ts';
import { SimError } from './protocol.ts';

/** Who signed the request. Derived from the access key id (see sessions.ts). */
export interface Principal {
  kind: 'base' | 'role' | 'root';
  accountId: string;
  arn: string;
  userId: string;
  accessKeyId: string;
  roleName?: string;
  sessionName?: string;
  /** Root sessions (sts:AssumeRoot): the task policy that scopes them. */
  taskPolicyArn?: string;
}

export interface CredentialReportState {
  requestedAt: number;
  readyAt: number;
  stuck: boolean;
  /** Set when the report is complete: the time it was generated and its CSV. */
  generatedAt?: number;
  csv?: string;
}

export interface CallContext {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  region: string;
  principal: Principal;
  /** The account the caller acts in. */
  account: AccountModel;
  index: ModelIndex;
  now: number;
  state: SimulatorState;
  /** restJson only: path parameters and query string. */
  path?: string[];
  query?: URLSearchParams;
}

export interface SimulatorState {
  sessions: Map<string, Principal>;
  credentialReports: Map<string, CredentialReportState>;
  sessionCounter: number;
  knobs: Knobs;
}

export type Handler = (ctx: CallContext) => unknown;
export type ServiceHandlers = Record<string, Handler>;

export function isManagementOrDelegated(ctx: CallContext): boolean {
  const org = ctx.index.model.organization;
  return (
    ctx.account.id === org.managementAccountId ||
    (org.iamDelegatedAdministrators ?? []).includes(ctx.account.id)
  );
}

export function inputString(ctx: CallContext, name: string): string | undefined {
  const value = ctx.input[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function inputNumber(ctx: CallContext, name: string): number | undefined {
  const value = ctx.input[name];
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function requireInput(ctx: CallContext, name: string, code = 'ValidationException'): string {
  const value = inputString(ctx, name);
  if (value === undefined) {
    throw new SimError(
      code,
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}
