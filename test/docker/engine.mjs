// Whether `pnpm test:docker` can run here, decided quickly: a Docker engine that answers (started
// when it is installed but not running and we are root), Compose v2, and the base images of
// docker/Dockerfile and docker/compose.yaml (local, pulled, or built as stand-ins by the scripts of
// ROOTAUDIT_DOCKER_STANDINS, default ../shared/tools/docker beside the repository, when present).
// Plain JavaScript on purpose: .ci/run calls it on whatever Node the machine has.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Runs a command; never rejects. */
function run(file, args, { timeout = 30_000, env = process.env } = {}) {
  return new Promise((done) => {
    execFile(file, args, { timeout, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ ok: !error, code: error?.code, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

const firstLine = (text) => text.trim().split('\n').filter(Boolean).at(-1) ?? '';

/** The images the build and the stack start from: FROM lines (build ARGs resolved) and `image:` of postgres. */
export function baseImages(root) {
  const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
  const args = new Map();
  const stages = new Set();
  const images = new Set();
  for (const line of dockerfile.split('\n')) {
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (arg && stages.size === 0) args.set(arg[1], arg[2]);
    const from = /^FROM\s+(?:--\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      const image = from[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');
      if (!stages.has(image)) images.add(image);
      if (from[2]) stages.add(from[2]);
    }
  }
  const compose = readFileSync(join(root, 'docker/compose.yaml'), 'utf8');
  for (const [, image] of compose.matchAll(/^\s+image:\s+(postgres:\S+)/gm)) images.add(image);
  return [...images];
}

async function engineAnswers() {
  return run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
}

/**
 * { ok: true } when the stack test can run, else { ok: false, reason } (one line). `log` gets
 * progress lines (starting the engine, building stand-ins).
 */
export async function prepareDocker({ root, log = () => {} }) {
  const client = await run('docker', ['version', '--format', '{{.Client.Version}}'], { timeout: 10_000 });
  if (client.code === 'ENOENT') return { ok: false, reason: 'no docker command on PATH' };

  let info = await engineAnswers();
  if (!info.ok) {
    const why = firstLine(info.stderr) || 'no answer';
    if (/permission denied/i.test(why)) return { ok: false, reason: `cannot use the Docker engine: ${why}` };
    const dockerd = await run('sh', ['-c', 'command -v dockerd'], { timeout: 5_000 });
    if (process.getuid?.() !== 0 || !dockerd.ok) {
      return {
        ok: false,
        reason: `no Docker engine answers (${why}) and none can be started here (needs root and dockerd)`,
      };
    }
    log('starting dockerd (log: /var/log/dockerd.log)');
    const out = openSync('/var/log/dockerd.log', 'a');
    spawn(dockerd.stdout.trim(), [], { detached: true, stdio: ['ignore', out, out] }).unref();
    for (let i = 0; i < 60 && !info.ok; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      info = await engineAnswers();
    }
    if (!info.ok)
      return { ok: false, reason: `dockerd did not answer within 60 s (see /var/log/dockerd.log)` };
  }

  const compose = await run('docker', ['compose', 'version', '--short'], { timeout: 10_000 });
  if (!compose.ok || !/^v?2\./.test(compose.stdout.trim())) {
    return {
      ok: false,
      reason: `Compose v2 is missing (\`docker compose version\`: ${firstLine(compose.stderr || compose.stdout)})`,
    };
  }

  const standins = resolve(process.env.ROOTAUDIT_DOCKER_STANDINS ?? join(root, '../shared/tools/docker'));
  for (const image of baseImages(root)) {
    if ((await run('docker', ['image', 'inspect', image], { timeout: 10_000 })).ok) continue;
    const node = /^node:(\d+)-bookworm-slim$/.exec(image);
    const script = node ? '10-node-image.sh' : image === 'postgres:17' ? '20-postgres-image.sh' : undefined;
    if (script && existsSync(join(standins, script))) {
      log(`building the stand-in ${image} with ${join(standins, script)}`);
      const env = node ? { ...process.env, NODE_MAJOR: node[1] } : process.env;
      const built = await run(join(standins, script), [], { timeout: 900_000, env });
      if (built.ok) continue;
      return { ok: false, reason: `building the stand-in ${image} failed: ${firstLine(built.stderr)}` };
    }
    log(`pulling ${image}`);
    const pulled = await run('docker', ['pull', image], { timeout: 300_000 });
    if (!pulled.ok)
      return { ok: false, reason: `base image ${image} is not available (${firstLine(pulled.stderr)})` };
  }
  return { ok: true, engine: info.stdout.trim(), compose: compose.stdout.trim() };
}
