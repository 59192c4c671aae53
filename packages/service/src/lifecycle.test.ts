/**
 * The process-level policy for errors nobody handled, in a real child process: an unhandled
 * rejection is logged and the process goes on; an uncaught exception is logged, the services are
 * stopped and the process exits 1.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const fixture = fileURLToPath(new URL('./fixtures/unhandled.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

t.test(
  'an unhandled rejection is logged and the process goes on; an uncaught exception stops it',
  async (t) => {
    const child = spawn(process.execPath, ['--import', tsx, fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; level: number; err?: { message: string } });
    const messages = lines.map((line) => line.msg);
    const rejection = lines.find((line) => line.msg.startsWith('unhandled promise rejection'));
    t.equal(rejection?.err?.message, 'connection terminated unexpectedly', output);
    t.ok(messages.includes('still running after the rejection'), 'the process went on after the rejection');
    const exception = lines.find((line) => line.msg.startsWith('uncaught exception'));
    t.equal(exception?.err?.message, 'state corrupted');
    t.equal(exception?.level, 60, 'logged as fatal');
    t.ok(messages.includes('fixture service closed'), 'its services were stopped');
    t.equal(code, 1, 'exit code 1');
  },
);
