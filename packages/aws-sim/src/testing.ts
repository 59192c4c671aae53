// Helpers for this package's tests: real SDK v3 clients pointed at a simulator (or moto).
import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const BASE_CREDENTIALS: Credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' };

/** The credentials in an AssumeRole or AssumeRoot answer. */
export function credentialsOf(result: {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
}): Credentials {
  return {
    accessKeyId: result.Credentials?.AccessKeyId ?? '',
    secretAccessKey: result.Credentials?.SecretAccessKey ?? '',
    sessionToken: result.Credentials?.SessionToken ?? '',
  };
}

export function sdkClients(
  endpoint: string,
  credentials: Credentials = BASE_CREDENTIALS,
  region = 'us-east-1',
  maxAttempts = 3,
) {
  const config = { endpoint, region, credentials, maxAttempts };
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    organizations: new OrganizationsClient(config),
    cloudtrail: new CloudTrailClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
    events: new EventBridgeClient(config),
    guardduty: new GuardDutyClient(config),
    account: new AccountClient(config),
  };
}

export type SdkClients = ReturnType<typeof sdkClients>;

/** Runs a promise that must fail and returns the error. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<
  Error & { name: string; $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string } }
> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}
