import t from 'tap';
import { disabledDetector, enabledDetector, noDetector } from '../fixtures/monitoring.ts';
import { context, evaluateOne, evidenceFor, failed, regional } from '../testing/index.ts';
import { guarddutyEnabled } from './guardduty-enabled.ts';

t.test('PASS with an enabled detector in every scanned region', async (t) => {
  t.equal(evaluateOne(guarddutyEnabled).status, 'PASS');
});

t.test('FAIL naming the region without a detector', async (t) => {
  const result = evaluateOne(
    guarddutyEnabled,
    evidenceFor({
      guardDutyDetectors: regional({ 'us-east-1': enabledDetector(), 'eu-west-1': noDetector() }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /not enabled in eu-west-1 \(no detector\)/);
});

t.test('FAIL when the detector is disabled (suspended)', async (t) => {
  const result = evaluateOne(
    guarddutyEnabled,
    evidenceFor({
      guardDutyDetectors: regional({ 'us-east-1': disabledDetector(), 'eu-west-1': enabledDetector() }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /us-east-1 \(detector DISABLED\)/);
});

t.test('only scanned regions count', async (t) => {
  const evidence = evidenceFor({
    guardDutyDetectors: regional({ 'us-east-1': enabledDetector(), 'eu-west-1': noDetector() }),
  });
  t.equal(evaluateOne(guarddutyEnabled, evidence, context({ regions: ['us-east-1'] })).status, 'PASS');
});

t.test('ERROR naming the region that failed, never PASS', async (t) => {
  const result = evaluateOne(
    guarddutyEnabled,
    evidenceFor({
      guardDutyDetectors: regional({
        'us-east-1': enabledDetector(),
        'eu-west-1': failed('guardduty:ListDetectors', 'AccessDeniedException', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /AccessDeniedException on guardduty:ListDetectors in 111122223333 \(eu-west-1\)/);
});

t.test('ERROR when a scanned region was never gathered', async (t) => {
  const result = evaluateOne(
    guarddutyEnabled,
    evidenceFor({ guardDutyDetectors: regional({ 'us-east-1': enabledDetector() }) }),
  );
  t.equal(result.status, 'ERROR');
  t.match(result.message, /NotCollected .*eu-west-1/);
});

t.test('a region proven without GuardDuty is FAIL even if another failed', async (t) => {
  const result = evaluateOne(
    guarddutyEnabled,
    evidenceFor({
      guardDutyDetectors: regional({
        'us-east-1': noDetector(),
        'eu-west-1': failed('guardduty:ListDetectors', 'AccessDenied', 'eu-west-1'),
      }),
    }),
  );
  t.equal(result.status, 'FAIL');
  t.match(result.message, /eu-west-1 could not be read/);
});
