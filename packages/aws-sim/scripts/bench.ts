// Quick throughput measurement: `pnpm --filter @rootaudit/aws-sim bench [accounts] [requests]`.
import http from 'node:http';
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { generateOrganization, startSimulator } from '../src/index.ts';
import { credentialsOf, sdkClients } from '../src/testing.ts';

const accounts = Number(process.argv[2] ?? 1000);
const requests = Number(process.argv[3] ?? 20_000);

let t0 = performance.now();
const model = generateOrganization({ accounts, seed: 42 });
const generateMs = performance.now() - t0;
t0 = performance.now();
const sim = await startSimulator({ model });
const startMs = performance.now() - t0;
console.log(
  `generate ${accounts} accounts: ${generateMs.toFixed(0)} ms; startSimulator: ${startMs.toFixed(1)} ms`,
);

// Raw HTTP: what the server itself sustains (signed-looking query requests, keep-alive).
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const url = new URL(sim.endpoint);
const auth = `AWS4-HMAC-SHA256 Credential=ASIA${model.accounts[1]?.id}R000001/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x`;
const body = 'Action=GetAccountSummary&Version=2010-05-08';
function rawCall(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        agent,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
async function run(label: string, n: number, concurrency: number, call: () => Promise<unknown>) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next += 1;
        await call();
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  console.log(`${label}: ${n} requests in ${s.toFixed(2)} s = ${Math.round(n / s)} req/s`);
}
await run('raw HTTP GetAccountSummary (32 concurrent)', requests, 32, rawCall);

const org = sdkClients(sim.endpoint);
const assumed = await org.sts.send(
  new AssumeRoleCommand({
    RoleArn: `arn:aws:iam::${model.accounts[1]?.id}:role/RootAuditRole`,
    RoleSessionName: 'b',
    ExternalId: model.auditRole.externalId,
  }),
);
const member = sdkClients(sim.endpoint, credentialsOf(assumed));
await run('SDK IAM GetAccountSummary (32 concurrent)', Math.min(requests, 10_000), 32, () =>
  member.iam.send(new GetAccountSummaryCommand({})),
);
await run('SDK Organizations ListAccounts page (32 concurrent)', Math.min(requests, 10_000), 32, () =>
  org.organizations.send(new ListAccountsCommand({ MaxResults: 20 })),
);
await sim.stop();
agent.destroy();
