import t from 'tap';
import {
  multiRegionTrail,
  multiRegionTrailDataEventsOnly,
  multiRegionTrailNotLogging,
  multiRegionTrailStatusUnreadable,
  multiRegionTrailWriteOnly,
  noTrails,
  organizationTrailSeenFromMember,
  singleRegionTrailOnly,
  trail,
} from '../fixtures/monitoring.ts';
import { evaluateOne, evidenceFor, failed, ok } from '../testing/index.ts';
import { cloudtrailMultiRegion } from './cloudtrail-multi-region.ts';

t.test('PASS with an own multi-region trail logging all management events', async (t) => {
  const result = evaluateOne(cloudtrailMultiRegion, evidenceFor({ trails: ok(multiRegionTrail()) }));
  t.equal(result.status, 'PASS');
  t.match(result.message, /trail management-events/);
});

t.test('PASS with the organization trail seen from a member', async (t) => {
  const result = evaluateOne(
    cloudtrailMultiRegion,
    evidenceFor({ trails: ok(organizationTrailSeenFromMember()) }),
  );
  t.equal(result.status, 'PASS');
  t.match(result.message, /organization trail org-trail/);
});

for (const [situation, trails, reason] of [
  ['no trail at all', noTrails(), /no CloudTrail trail/],
  ['a single-region trail only', singleRegionTrailOnly(), /is single-region/],
  ['a multi-region trail that is not logging', multiRegionTrailNotLogging(), /is not logging/],
  [
    'a multi-region trail recording only write events',
    multiRegionTrailWriteOnly(),
    /only WriteOnly management events/,
  ],
  [
    'a multi-region trail without management events',
    multiRegionTrailDataEventsOnly(),
    /does not record management events/,
  ],
] as const) {
  t.test(`FAIL with ${situation}`, async (t) => {
    const result = evaluateOne(cloudtrailMultiRegion, evidenceFor({ trails: ok(trails) }));
    t.equal(result.status, 'FAIL');
    t.match(result.message, reason);
  });
}

t.test('ERROR when the status of the only candidate could not be read', async (t) => {
  const result = evaluateOne(
    cloudtrailMultiRegion,
    evidenceFor({ trails: ok(multiRegionTrailStatusUnreadable()) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDeniedException on cloudtrail:GetTrailStatus in 111122223333/);
});

t.test('an unreadable trail does not matter when another qualifies', async (t) => {
  const trails = { trails: [...multiRegionTrailStatusUnreadable().trails, trail({ name: 'second' })] };
  t.equal(evaluateOne(cloudtrailMultiRegion, evidenceFor({ trails: ok(trails) })).status, 'PASS');
});

t.test('ERROR when DescribeTrails failed', async (t) => {
  const result = evaluateOne(
    cloudtrailMultiRegion,
    evidenceFor({ trails: failed('cloudtrail:DescribeTrails') }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDenied on cloudtrail:DescribeTrails in 111122223333/);
});
