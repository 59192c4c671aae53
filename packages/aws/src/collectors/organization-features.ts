/** iam:ListOrganizationsFeatures: centralized root access (credentials management, root sessions). */
import { ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { awsCall, type OrganizationCollector } from '../collector.ts';
import { collected } from '../errors.ts';

const ACTION = 'iam:ListOrganizationsFeatures';

export const organizationFeaturesCollector: OrganizationCollector<'organizationFeatures'> = {
  key: 'organizationFeatures',
  actions: [ACTION],
  collect: (context) =>
    collected(ACTION, async () => {
      const iam = context.clients.client('iam');
      const response = await awsCall(context.limit, ACTION, undefined, () =>
        iam.send(new ListOrganizationsFeaturesCommand({})),
      );
      const features = response.EnabledFeatures ?? [];
      return {
        rootCredentialsManagement: features.includes('RootCredentialsManagement'),
        rootSessions: features.includes('RootSessions'),
      };
    }),
};
