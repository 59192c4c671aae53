/**
 * Where metric filters and alarms must be read: the scanned regions, and the region of each log
 * group a trail of this account delivers to (a trail's log group may live in a region that is not
 * scanned, and its filters and alarms live beside it). Log groups in other accounts are left out:
 * their filters are judged with that account.
 */
import type { AccountCollectorContext } from '../collector.ts';

const LOG_GROUP_ARN = /^arn:[\w-]+:logs:([\w-]+):(\d{12}):log-group:/;

export async function logGroupRegions({
  account,
  regions,
  evidence,
}: Pick<AccountCollectorContext, 'account' | 'regions' | 'evidence'>): Promise<string[]> {
  const trails = await evidence('trails');
  // Without the trails, no log group is known: the scanned regions are all there is to read.
  if (!trails.ok) return [...regions];
  const extra = trails.value.trails.flatMap((trail) => {
    const match = LOG_GROUP_ARN.exec(trail.cloudWatchLogsLogGroupArn ?? '');
    return match?.[1] && match[2] === account.id ? [match[1]] : [];
  });
  return [...new Set([...regions, ...extra])];
}
