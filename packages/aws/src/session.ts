/**
 * Role sessions in memory only: the audit role in each account (ExternalId, a session name that
 * carries the scan id), cached until shortly before they expire. Credentials are never stored.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleError, errorCode, errorMessage, isAwsUnavailable } from './errors.ts';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** `rootaudit-<scanId>`, cut to STS's limits: 2–64 characters of `[\w+=,.@-]`. */
export function roleSessionName(scanId: string): string {
  const name = `rootaudit-${scanId}`.replace(/[^\w+=,.@-]/g, '-');
  return name.slice(0, 64);
}

export interface RoleSessionOptions {
  /** STS client signed with the base credentials. */
  sts: STSClient;
  roleArn: string;
  externalId?: string | null;
  sessionName: string;
  durationSeconds?: number;
  /** Refresh this long before expiry. */
  refreshMarginMs?: number;
  /**
   * A failed AssumeRole is remembered this long, so one missing role costs one STS call per account.
   * A failure of STS itself (unreachable, 5xx, throttled) is not: the next caller asks again.
   */
  failureTtlMs?: number;
  now?: () => number;
  /** What to do when AssumeRole is denied (the audit role's hint by default). */
  deniedHint?: string;
}

/** One assumed role, cached with its expiry. `credentials` is an SDK credential provider. */
export class RoleSession {
  #pending: Promise<SessionCredentials> | null = null;
  #expiresAt = 0;
  readonly #options: RoleSessionOptions;
  readonly #now: () => number;

  constructor(options: RoleSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get roleArn(): string {
    return this.#options.roleArn;
  }

  readonly credentials = (): Promise<SessionCredentials> => {
    if (this.#pending && this.#now() < this.#expiresAt) return this.#pending;
    const { failureTtlMs = 60_000, refreshMarginMs = 300_000 } = this.#options;
    this.#expiresAt = Number.POSITIVE_INFINITY; // while in flight, everyone shares this request
    const pending = this.#assume().then(
      (credentials) => {
        const expiry = credentials.expiration?.getTime() ?? this.#now() + 900_000;
        this.#expiresAt = expiry - refreshMarginMs;
        return credentials;
      },
      (error: unknown) => {
        this.#expiresAt = isAwsUnavailable(error) ? 0 : this.#now() + failureTtlMs;
        throw error;
      },
    );
    this.#pending = pending;
    return pending;
  };

  async #assume(): Promise<SessionCredentials> {
    const { sts, roleArn, externalId, sessionName, durationSeconds = 3600 } = this.#options;
    try {
      const response = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: durationSeconds,
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
      );
      const c = response.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new AssumeRoleError(
          'InvalidResponse',
          roleArn,
          'STS returned no credentials',
          this.#options.deniedHint,
        );
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (error) {
      if (error instanceof AssumeRoleError) throw error;
      throw new AssumeRoleError(
        errorCode(error),
        roleArn,
        errorMessage(error),
        this.#options.deniedHint,
        error,
      );
    }
  }
}
