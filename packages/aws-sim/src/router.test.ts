// X-Amz-Target forms: SDK v3 sends CloudTrail's short prefix, SDK v2, boto3 and the CLI send the
// model's long one (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`); AWS takes both.
import t from 'tap';
import { loadOrganization, type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
t.before(async () => {
  sim = await startSimulator({ model: loadOrganization() });
});
t.teardown(() => sim.stop());

const SIGNED_FOR_CLOUDTRAIL =
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0';

async function call(target: string, authorization?: string, body = '{}') {
  const response = await fetch(sim.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      ...(authorization ? { authorization } : {}),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

for (const prefix of ['CloudTrail_20131101', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101']) {
  t.test(`CloudTrail answers ${prefix}.<Operation>`, async (t) => {
    for (const authorization of [SIGNED_FOR_CLOUDTRAIL, undefined]) {
      const how = authorization ? 'signed for cloudtrail' : 'routed by the target alone';
      const trails = await call(`${prefix}.DescribeTrails`, authorization);
      t.equal(trails.status, 200, how);
      t.match(trails.body, { trailList: [{ Name: 'organization-trail' }] }, how);
      const status = await call(`${prefix}.GetTrailStatus`, authorization, '{"Name":"organization-trail"}');
      t.match(status.body, { IsLogging: true }, how);
    }
  });
}

t.test('an unknown operation is named in the error, whatever the prefix', async (t) => {
  const answer = await call(
    'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.NoSuchThing',
    SIGNED_FOR_CLOUDTRAIL,
  );
  t.equal(answer.status, 400);
  t.match(answer.body, { __type: 'UnknownOperationException', message: /NoSuchThing/ });
});

// CloudWatch is query-compatible: awsJson 1.0 with a target (SDK v3, boto3), or the awsQuery form
// older SDKs (JavaScript v2, Java v1) still send.
t.test('CloudWatch answers an awsQuery form in XML', async (t) => {
  for (const authorization of [SIGNED_FOR_CLOUDTRAIL.replace('/cloudtrail/', '/monitoring/'), undefined]) {
    const response = await fetch(sim.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        ...(authorization ? { authorization } : {}),
      },
      body: 'Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=root-account-usage',
    });
    t.equal(response.status, 200);
    t.match(response.headers.get('content-type'), /xml/);
    t.match(
      await response.text(),
      /^<DescribeAlarmsResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><DescribeAlarmsResult><MetricAlarms><member><AlarmName>root-account-usage<\/AlarmName>/,
    );
  }
});
