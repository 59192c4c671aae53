/** iam:ListOrganizationsFeatures: centralized root access (credentials management, root sessions). */
import { ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import type { OrganizationFeatures } from '@rootaudit/checks';
import { awsCall, type OrganizationCollector } from '../collector.ts';
import { AwsCallError, collected } from '../errors.ts';

const ACTION = 'iam:ListOrganizationsFeatures';

/**
 * The refusals that prove both features off: they cannot be enabled without IAM's trusted access
 * and all features. IAM sends these codes with or without the `Exception` suffix.
 */
const FEATURES_IMPOSSIBLE: Record<string, string> = {
  ServiceAccessNotEnabled: 'IAM has no trusted access in the organization',
  OrganizationNotInAllFeaturesMode: 'the organization does not have all features enabled',
};

function featuresOffBecause(code: string): OrganizationFeatures['offBecause'] {
  const reason = FEATURES_IMPOSSIBLE[code.replace(/Exception$/, '')];
  return reason ? { code, reason: `${reason} (${ACTION} answered ${code})` } : undefined;
}

export const organizationFeaturesCollector: OrganizationCollector<'organizationFeatures'> = {
  key: 'organizationFeatures',
  actions: [ACTION],
  collect: (context) =>
    collected(ACTION, async (): Promise<OrganizationFeatures> => {
      const iam = context.clients.client('iam');
      try {
        const response = await awsCall(context.limit, ACTION, undefined, () =>
          iam.send(new ListOrganizationsFeaturesCommand({})),
        );
        const features = response.EnabledFeatures ?? [];
        return {
          rootCredentialsManagement: features.includes('RootCredentialsManagement'),
          rootSessions: features.includes('RootSessions'),
        };
      } catch (error) {
        const offBecause =
          error instanceof AwsCallError ? featuresOffBecause(error.collectionError.code) : undefined;
        if (!offBecause) throw error;
        return { rootCredentialsManagement: false, rootSessions: false, offBecause };
      }
    }),
};
