import t from 'tap';
import { matchedCodesInSource } from './matched-codes.ts';

t.test("Node's connection error codes are not taken for AWS error codes", async (t) => {
  const source = `
import { GetLoginProfileCommand } from '@aws-sdk/client-iam';
const FAILED = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ServiceFailure']);
export async function read(client, error) {
  await client.send(new GetLoginProfileCommand({}));
  if (FAILED.has(error.code)) return 'failed';
  if (error.code === 'ECONNRESET') return 'reset';
  if (error.code === 'NoSuchEntity') return 'absent';
}
`;
  t.same(
    matchedCodesInSource('read.ts', source).map(({ code, actions }) => [code, actions]),
    [
      ['ServiceFailure', ['iam:GetLoginProfile']],
      ['NoSuchEntity', ['iam:GetLoginProfile']],
    ],
  );
});
