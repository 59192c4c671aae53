/** iam:ListVirtualMFADevices (Assigned): a virtual device assigned to root means root's MFA is not hardware. */
import { ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { type AccountCollector, awsCall, iso, paginate } from '../collector.ts';
import { collected } from '../errors.ts';

const ACTION = 'iam:ListVirtualMFADevices';

export const virtualMfaDevicesCollector: AccountCollector<'virtualMfaDevices'> = {
  key: 'virtualMfaDevices',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: [],
  collect: ({ clients }) =>
    collected(ACTION, async () => {
      const iam = clients.client('iam');
      const devices = await paginate(async (marker) => {
        const page = await awsCall(clients.limit, ACTION, undefined, () =>
          iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', Marker: marker })),
        );
        return { items: page.VirtualMFADevices, next: page.IsTruncated ? page.Marker : undefined };
      });
      return {
        devices: devices.map((device) => ({
          serialNumber: device.SerialNumber ?? '',
          userArn: device.User?.Arn ?? null,
          enableDate: iso(device.EnableDate),
        })),
      };
    }),
};
