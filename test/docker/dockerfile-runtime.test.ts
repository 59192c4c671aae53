// docker/Dockerfile, read statically (docker/compose.test.ts checks the rest): the image runs the
// compiled workspace, and its runtime stage receives only what the build stage assembled for it.
import { join } from 'node:path';
import t from 'tap';
import { dockerDir, parseDockerfile, readText } from '../support/docker-files.ts';

const text = readText(join(dockerDir, 'Dockerfile'));
const { stages } = parseDockerfile(text);
const build = stages.find((stage) => stage.name === 'build')!;
const runtime = stages.at(-1)!;
const runs = build.instructions
  .filter((instruction) => instruction.keyword === 'RUN')
  .map((run) => run.arguments);

t.test('no syntax directive: BuildKit would fetch a frontend image from a registry', async (t) => {
  t.notMatch(text, /^#\s*syntax\s*=/im);
});

t.test('the build stage compiles the workspace and prunes node_modules down to what runs', async (t) => {
  const steps = runs.flatMap((run) => run.split(/\s*&&\s*/));
  const at = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step));
  t.ok(at(/^pnpm build\b/) >= 0, 'pnpm build');
  const generate = at(/^pnpm db:generate\b/);
  t.ok(generate >= 0 && generate < at(/^pnpm build\b/), 'after generating the Prisma client');
  t.ok(at(/^pnpm build\b/) < at(/--prod\b/), 'before dev dependencies (TypeScript) are removed');
  t.match(
    steps[at(/prune-node-modules\.mjs/)],
    /--strip --prisma-client packages\/db\/dist\/generated\/prisma /,
  );
});

t.test(
  'the runtime stage copies only the assembled runtime: dist, bin, migrations, node_modules',
  async (t) => {
    const copies = runtime.instructions.filter((instruction) => instruction.keyword === 'COPY');
    t.same(
      copies.map((copy) => copy.arguments),
      ['--from=build /runtime /app'],
    );
    const assembled = runs
      .flatMap((run) => run.split(/\s*(?:&&|;|\bdo\b|\bthen\b)\s*/))
      .filter((step) => /^cp -a /.test(step));
    const copied = assembled.flatMap((step) =>
      step
        .replace(/^cp -a /, '')
        .split(/\s+/)
        .slice(0, -1),
    );
    for (const wanted of ['node_modules', 'prisma/migrations', '"$package/dist"', 'apps/cli/bin'])
      t.ok(copied.includes(wanted), `${wanted} is copied`);
    t.notOk(
      copied.some((path) => /(^|\/|")(src|test|bench)("|\/|$)/.test(path)),
      'no sources, tests or benchmarks',
    );
  },
);
