// Runs the simulator on its own, for demos and manual runs:
//   pnpm --filter @rootaudit/aws-sim serve                       # the sample organization
//   pnpm --filter @rootaudit/aws-sim serve -- --accounts 1000 --seed 7 --port 4566
//   pnpm --filter @rootaudit/aws-sim serve -- --fixture path/to/org.json
// Then: AWS_ENDPOINT_URL=<printed endpoint> AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test ...
import { parseArgs } from 'node:util';
import { generateOrganization, loadOrganization, startSimulator } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' },
    seed: { type: 'string', default: '1' },
    fixture: { type: 'string' },
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string', default: '0' },
  },
});

const model = values.accounts
  ? generateOrganization({ accounts: Number(values.accounts), seed: Number(values.seed) })
  : loadOrganization(values.fixture);
const sim = await startSimulator({
  model,
  port: Number(values.port),
  host: values.host,
  knobs: { latency: { fixedMs: Number(values['latency-ms']) } },
});
console.log(
  JSON.stringify({
    endpoint: sim.endpoint,
    accounts: model.accounts.length,
    managementAccountId: model.organization.managementAccountId,
    auditRole: model.auditRole,
  }),
);
const stop = () => {
  console.error(JSON.stringify({ calls: sim.callLog.countsByOperation() }));
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
