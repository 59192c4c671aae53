import t from 'tap';
import { loadOrganization } from './fixture.ts';
import { resolveTime, validateModel } from './model.ts';
import {
  escapeXml,
  paginate,
  parseQuery,
  queryError,
  queryResponse,
  SimError,
  toJson,
  XmlMap,
} from './protocol.ts';

t.test('awsQuery forms parse into nested values and lists', async (t) => {
  t.same(parseQuery('Action=AssumeRoot&TaskPolicyArn.arn=arn%3Ax&Tags.member.2.Key=b&Tags.member.1.Key=a'), {
    Action: 'AssumeRoot',
    TaskPolicyArn: { arn: 'arn:x' },
    Tags: [{ Key: 'a' }, { Key: 'b' }],
  });
});

t.test('XML responses escape text and write lists as member, maps as entry', async (t) => {
  t.equal(escapeXml(`<a&"b'>`), '&lt;a&amp;&quot;b&apos;&gt;');
  const xml = queryResponse(
    'X',
    'urn:x',
    { L: ['a<b'], M: new XmlMap({ K: 1 }), D: new Date(0), N: undefined },
    'r1',
  );
  t.equal(
    xml,
    '<XResponse xmlns="urn:x"><XResult><L><member>a&lt;b</member></L><M><entry><key>K</key><value>1</value></entry></M><D>1970-01-01T00:00:00.000Z</D></XResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></XResponse>',
  );
  t.match(
    queryError(new SimError('Throttling', 'Rate exceeded'), 'r2'),
    /<Type>Sender<\/Type><Code>Throttling<\/Code>/,
  );
  t.match(queryError(new SimError('InternalFailure', 'x', 500), 'r3'), /<Type>Receiver<\/Type>/);
});

t.test('JSON writes dates as epoch seconds', async (t) => {
  t.equal(toJson({ d: new Date(1500), n: [new Date(0)] }), '{"d":1.5,"n":[0]}');
});

t.test('tokens page through and are bound to their listing', async (t) => {
  const invalid = () => new SimError('InvalidNextToken', 'bad');
  const first = paginate([1, 2, 3], undefined, 2, 'a', invalid);
  t.same(first.items, [1, 2]);
  t.same(paginate([1, 2, 3], first.next, 2, 'a', invalid), { items: [3] });
  t.throws(() => paginate([1, 2, 3], first.next, 2, 'b', invalid), { code: 'InvalidNextToken' });
});

t.test('fixture times may be relative to load time', async (t) => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  t.equal(resolveTime('-3d', now), '2026-01-07T00:00:00.000Z');
  t.equal(resolveTime('-12h', now), '2026-01-09T12:00:00.000Z');
  t.equal(resolveTime('2020-01-01T00:00:00Z', now), '2020-01-01T00:00:00Z');
  const model = loadOrganization(undefined, now);
  t.equal(model.accounts.length, 12);
  const network = model.accounts.find((a) => a.name === 'network');
  t.equal(network?.root.passwordLastUsed, '2025-12-11T00:00:00.000Z');
});

t.test('a model with broken references is refused with every problem named', async (t) => {
  const model = loadOrganization();
  t.doesNotThrow(() => validateModel(model));
  const broken = loadOrganization();
  broken.organization.managementAccountId = '000000000000';
  const first = broken.accounts[1];
  if (first) first.parentId = 'ou-missing';
  broken.policies[0]?.targets.push('ou-gone');
  t.throws(() => validateModel(broken), {
    message: /management account 000000000000 .*unknown parent ou-missing.*targets unknown ou-gone/,
  });
});
