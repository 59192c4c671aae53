// The simulator held to AWS's own models: boto3 (a client no one here wrote) calls every operation
// rootaudit's code can send and every one the simulator serves, over the sample organization, with
// the errors each can answer and with every fault the knobs make; scripts/conformance.py checks
// each raw answer against botocore's service model (members, types, enums, required members, error
// codes and their HTTP statuses). Skipped, saying why, only when python3 or boto3 is missing.
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { sdkCallsInTree } from '../../../test/deploy/sdk-actions.ts';
import { isThrottlingCode } from '../../aws/src/errors.ts';
import { AUDIT_ROOT_TASK_POLICY, loadOrganization, type Simulator, startSimulator } from './index.ts';
import { Boto3Session, boto3Missing, checkerSelfTest, type Models } from './model-conformance/boto3.ts';
import { matchedCodesInTree } from './model-conformance/matched-codes.ts';
import { phases, SCENARIOS, SIGNING_NAME, THROTTLING_CODE } from './model-conformance/scenarios.ts';
import { account } from './services/account.ts';
import { cloudtrail } from './services/cloudtrail.ts';
import { cloudwatch } from './services/cloudwatch.ts';
import { eventbridge } from './services/eventbridge.ts';
import { guardduty } from './services/guardduty.ts';
import { iam } from './services/iam.ts';
import { logs } from './services/logs.ts';
import { organizations } from './services/organizations.ts';
import { sns } from './services/sns.ts';
import { sts } from './services/sts.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const missing = boto3Missing();
if (missing) t.comment(`skipped: ${missing}`);

/** Every operation the simulator serves, as `service:Operation` with botocore's service names. */
const SIMULATED = Object.entries({
  account,
  cloudtrail,
  cloudwatch,
  events: eventbridge,
  guardduty,
  iam,
  logs,
  organizations,
  sns,
  sts,
}).flatMap(([service, handlers]) => Object.keys(handlers).map((operation) => `${service}:${operation}`));

const succeeds = new Set(
  SCENARIOS.filter(([, scenarios]) => scenarios.some((s) => s.expect === null)).map(([key]) => key),
);

/** What production code can call: every SDK Command it imports (test/deploy/sdk-actions.ts). */
const source = await sdkCallsInTree({
  root,
  directories: ['packages', 'apps'],
  exclude: (path) =>
    path.startsWith('packages/aws-sim/') ||
    /\.test\.ts$/.test(path) ||
    /(^|\/)(testing|test-support|test-[\w-]+)\.ts$/.test(path)
      ? 'not a production caller'
      : null,
});

/**
 * Services rootaudit calls that the simulator does not serve: their tests talk to moto_server, an
 * emulator written by others (SQS: the consumer of live root events, packages/aws/src/event-queue.test.ts).
 */
const SERVED_BY_MOTO = ['sqs'];
const calledHere = [...source.actions.keys()].filter(
  (action) => !SERVED_BY_MOTO.includes(action.split(':')[0] ?? ''),
);

t.test(
  'every operation rootaudit calls, and every one simulated, is driven here and succeeds once',
  async (t) => {
    t.same(source.problems, [], 'the extractor understands every AWS call in the source');
    t.ok(calledHere.length > 20, `${calledHere.length} actions read from the source, SQS's aside`);
    const notDriven = [...calledHere, ...SIMULATED].filter((action) => !succeeds.has(action));
    t.same([...new Set(notDriven)].sort(), [], 'operations without a successful scenario');
    const notSimulated = calledHere.filter((action) => !SIMULATED.includes(action));
    t.same(notSimulated, [], 'operations rootaudit calls that the simulator does not serve');
  },
);

t.test('the checker names what breaks a model', { skip: missing ?? false }, async (t) => {
  const cases = checkerSelfTest();
  t.ok(cases.length >= 10, `${cases.length} broken answers`);
  for (const { case: name, expected, findings } of cases) {
    t.ok(
      findings.some((finding) => finding.includes(expected)),
      `${name}: "${expected}" among ${JSON.stringify(findings)}`,
    );
  }
});

t.test(
  'boto3 against the simulator, every answer checked against the model',
  { skip: missing ?? false },
  async (t) => {
    const plan = phases();
    const matched = await matchedCodesInTree(root, 'packages/aws/src');
    const sim: Simulator = await startSimulator({ model: loadOrganization(), knobs: plan[0]?.knobs ?? {} });
    t.teardown(() => sim.stop());
    const { session, models } = await Boto3Session.start(
      {
        endpoint: sim.endpoint,
        auditRole: sim.model.auditRole.name,
        externalId: sim.model.auditRole.externalId ?? '',
        rootTaskPolicyArn: AUDIT_ROOT_TASK_POLICY,
        operations: [...new Set([...SIMULATED, ...matched.flatMap((m) => m.actions)])],
      },
      plan,
    );
    t.teardown(() => session.close());

    for (const [i, phase] of plan.entries()) {
      if (i > 0) sim.setKnobs(phase.knobs);
      const results = await session.phase(i > 0);
      const byId = new Map(results.map((result) => [result.id, result]));
      t.test(phase.name, async (t) => {
        for (const call of phase.calls) {
          const result = byId.get(call.id);
          if (!result) {
            t.fail(`${call.id}: no answer from conformance.py`);
            continue;
          }
          const deviations = call.deviations ?? [];
          const unexplained = result.findings.filter((finding) => !deviations.some((d) => d.test(finding)));
          t.same(unexplained, [], `${call.id}: the answer conforms to ${call.service}'s model`);
          for (const deviation of deviations) {
            t.ok(
              result.findings.some((finding) => deviation.test(finding)),
              `${call.id}: still departs from the model as AWS does (${deviation.source})`,
            );
          }
          t.equal(result.code, call.expect, `${call.id}: ${call.expect ?? 'succeeds'}`);
        }
        // Sessions the script opened (AssumeRole/AssumeRoot) are checked too.
        for (const result of results.filter((r) => r.id.startsWith('credentials:'))) {
          t.same(result.findings, [], `${result.id}: conforms`);
        }
      });
    }

    t.test('the router takes every X-Amz-Target form the models give', async (t) => {
      sim.setKnobs({});
      for (const [service, model] of Object.entries(models.services)) {
        if (!model.targetPrefix) continue;
        const operation = SCENARIOS.find(
          ([key, s]) => key.startsWith(`${service}:`) && s[0]?.expect === null,
        )?.[0];
        const name = operation?.split(':')[1] ?? '';
        // No Authorization header: the target alone must route the call.
        const response = await fetch(sim.endpoint, {
          method: 'POST',
          headers: {
            'content-type': `application/x-amz-json-${model.protocol === 'json' ? '1.1' : '1.0'}`,
            'x-amz-target': `${model.targetPrefix}.${name}`,
          },
          body: name === 'GetTrailStatus' ? '{"Name":"organization-trail"}' : '{}',
        });
        t.equal(response.status, 200, `${model.targetPrefix}.${name} (${SIGNING_NAME[service] ?? service})`);
      }
    });

    t.test('error codes the collectors act on are declared for the operation they follow', async (t) => {
      checkMatchedCodes(t, models, matched);
    });
  },
);

t.test('the simulator throttles with codes rootaudit recognises as throttling', async (t) => {
  for (const [service, code] of Object.entries(THROTTLING_CODE)) {
    t.ok(isThrottlingCode(code), `${service}: ${code}`);
  }
});

function checkMatchedCodes(t: Test, models: Models, matched: Awaited<ReturnType<typeof matchedCodesInTree>>) {
  t.ok(matched.length >= 4, `${matched.length} codes matched in the collectors`);
  for (const { code, actions, where } of matched) {
    if (models.commonErrors.includes(code)) {
      t.pass(`${code} (${where}): common to every AWS API`);
      continue;
    }
    t.ok(actions.length > 0, `${code} (${where}): follows an AWS call`);
    for (const action of actions) {
      const [service = '', operation = ''] = action.split(':');
      const declared = models.services[service]?.errors[operation];
      t.ok(
        declared?.includes(code),
        `${action} declares ${code} (${where}); it declares ${declared?.join(', ') ?? 'nothing (not in the models read)'}`,
      );
    }
  }
}
