// docker/compose.yaml, docker/.env.example and docker/Dockerfile, checked without a docker engine:
// the compose file against the Compose Specification's JSON schema, every command they run against
// the real CLI, every variable they name against the code (or image) that reads it.
//
// The schema is compose-spec.json of the Compose Specification (github.com/compose-spec/compose-spec,
// Apache-2.0), as shipped in the npm package dclint (schemas/compose.schema.json), a devDependency,
// so the check runs offline.
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import t from 'tap';
import { ConfigError, loadConfig } from '../../packages/config/src/config.ts';
import { runRootaudit } from '../support/cli.ts';
import {
  awsSdkVariables,
  type ComposeFile,
  cliBin,
  commandOf,
  configVariables,
  dockerDir,
  documentedAssignments,
  environmentEntries,
  execForm,
  interpolate,
  interpolatedNames,
  parseCompose,
  parseDockerfile,
  parseEnvFile,
  postgresImageVariables,
  readText,
  repositoryRoot,
} from '../support/docker-files.ts';

const composeText = readText(join(dockerDir, 'compose.yaml'));
const compose = parseCompose(composeText);
const envExampleText = readText(join(dockerDir, '.env.example'));
const dockerfile = parseDockerfile(readText(join(dockerDir, 'Dockerfile')));

/** The services that run the rootaudit image (all but postgres). */
const rootauditServices = ['migrate', 'api', 'scheduler', 'worker'] as const;
/** Variables only Compose reads (image tag, published address, replicas, ~/.aws folder). */
const composeSettings = new Set([
  'ROOTAUDIT_IMAGE',
  'ROOTAUDIT_API_PUBLISH',
  'ROOTAUDIT_WORKER_REPLICAS',
  'ROOTAUDIT_AWS_DIR',
]);
/** docker/.env as a user makes it from the example: the one required value filled in. */
const exampleEnv = {
  ...Object.fromEntries(parseEnvFile(envExampleText)),
  POSTGRES_PASSWORD: 'example-password',
};

function composeSchemaValidator() {
  const schemaFile = join(
    dirname(createRequire(import.meta.url).resolve('dclint/package.json')),
    'schemas',
    'compose.schema.json',
  );
  const { $schema, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  // Ajv's default dialect is draft-07; the schema names it with an https URL Ajv does not know.
  if (!String($schema).includes('draft-07')) throw new Error(`unexpected schema dialect ${String($schema)}`);
  if (schema.title !== 'Compose Specification') throw new Error(`not the compose schema: ${schemaFile}`);
  // The schema uses union types throughout (["integer", "string"] for interpolated values).
  return new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(schema);
}
const validate = composeSchemaValidator();

function schemaErrors(document: unknown): string {
  validate(document);
  return (validate.errors ?? [])
    .map(
      (error: ErrorObject) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`,
    )
    .join('\n');
}

t.test(
  'compose.yaml is valid under the Compose Specification, as written and once interpolated',
  async (t) => {
    t.equal(schemaErrors(compose), '', 'as written');
    t.equal(schemaErrors(interpolate(compose, exampleEnv)), '', 'with docker/.env from .env.example');
    t.throws(
      () => interpolate(compose, { ...exampleEnv, POSTGRES_PASSWORD: '' }),
      { name: 'InterpolationError', message: /POSTGRES_PASSWORD: set POSTGRES_PASSWORD in docker\/\.env/ },
      'without POSTGRES_PASSWORD Compose refuses to start',
    );
  },
);

t.test('the schema check rejects what Compose would reject', async (t) => {
  const unknownCondition = structuredClone(compose);
  (unknownCondition.services.api!.depends_on as Record<string, { condition: string }>).migrate!.condition =
    'service_finished';
  t.match(schemaErrors(unknownCondition), /must be equal to one of the allowed values/);

  const unknownKey = structuredClone(compose) as ComposeFile;
  (unknownKey.services.worker as Record<string, unknown>).replicas = 3;
  t.match(schemaErrors(unknownKey), /must NOT have additional properties/);
});

t.test('postgres: the official image, a named volume, a health check over TCP', async (t) => {
  const postgres = compose.services.postgres!;
  t.match(postgres.image, /^postgres:\d+$/);
  const [volume] = postgres.volumes as string[];
  const [volumeName] = volume!.split(':');
  t.ok(compose.volumes && volumeName! in compose.volumes, `${volumeName} is a named volume`);
  t.match(volume, /:\/var\/lib\/postgresql\/data$/);
  t.match(JSON.stringify(postgres.healthcheck?.test), /pg_isready -h 127\.0\.0\.1/);
  t.same([...environmentEntries(postgres).keys()].sort(), [...postgresImageVariables].sort());
});

t.test('migrate runs once after postgres is healthy; api, scheduler and worker wait for it', async (t) => {
  const { migrate, api, scheduler, worker } = compose.services;
  t.same(commandOf(migrate!), ['migrate']);
  t.equal(migrate!.restart, 'no', 'a one-shot, not restarted');
  t.same(migrate!.depends_on, { postgres: { condition: 'service_healthy' } });
  for (const [name, service] of Object.entries({ api, scheduler, worker })) {
    // postgres too: Compose then stops the database after them, never under a working worker.
    t.same(
      service!.depends_on,
      {
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      },
      name,
    );
  }
});

t.test('the containers reach the host as host.docker.internal (an emulator running there)', async (t) => {
  for (const name of rootauditServices) {
    t.same(compose.services[name]!.extra_hosts, ['host.docker.internal:host-gateway'], name);
  }
});

t.test('~/.aws is mounted only when asked for: Docker would create it, root-owned', async (t) => {
  for (const name of rootauditServices) {
    const mount = (compose.services[name]!.volumes as string[]).find((volume) =>
      volume.endsWith(':/home/node/.aws:ro'),
    );
    t.ok(mount, `${name} mounts a folder read-only at /home/node/.aws`);
    const unset = interpolate(mount!, exampleEnv).split(':')[0]!;
    t.notMatch(unset, /^~|\$HOME|^\//, `${name}: by default a folder of the repository, not the host's home`);
    const folder = join(dockerDir, unset);
    t.ok(existsSync(folder), `${unset} exists beside compose.yaml`);
    t.same(
      readdirSync(folder).filter((file) => file !== 'README.md'),
      [],
      `${unset} holds no AWS config or credentials`,
    );
    t.equal(interpolate(mount!, { ...exampleEnv, ROOTAUDIT_AWS_DIR: '~/.aws' }), '~/.aws:/home/node/.aws:ro');
  }
});

t.test(
  'every rootaudit service runs the one image, as built by docker/Dockerfile, with its own role',
  async (t) => {
    const images = new Set(rootauditServices.map((name) => compose.services[name]!.image));
    t.equal(images.size, 1, 'one image');
    for (const name of rootauditServices) {
      const service = compose.services[name]!;
      // Built once, by migrate: Compose builds once per service that names a build.
      if (name === 'migrate') t.same(service.build, { context: '..', dockerfile: 'docker/Dockerfile' }, name);
      else t.equal(service.build, undefined, `${name} runs the image migrate builds`);
      t.equal(service.pull_policy, 'never', `${name}: the image is built, never pulled`);
      t.equal(service.entrypoint, undefined, `${name} keeps the image's entrypoint`);
      t.equal(service.user, undefined, `${name} keeps the image's non-root user`);
      t.ok(
        (service.volumes as string[]).some((volume) => volume.endsWith(':/home/node/.aws:ro')),
        `${name} gets ~/.aws read-only`,
      );
    }
    const { context, dockerfile: file } = compose.services.migrate!.build!;
    t.ok(existsSync(join(dockerDir, context!, file!)), 'the build context is the repository root');
    t.same(commandOf(compose.services.api!), ['start', '--role', 'api']);
    t.same(commandOf(compose.services.scheduler!), ['start', '--role', 'scheduler']);
    t.same(commandOf(compose.services.worker!), ['start', '--role', 'worker']);
  },
);

t.test('the api listens on all interfaces of its container on the published port', async (t) => {
  const api = interpolate(compose.services.api!, exampleEnv);
  const environment = environmentEntries(api);
  t.equal(environment.get('HOST'), '0.0.0.0');
  t.equal(environment.get('PORT'), '3000');
  t.same(api.ports, ['127.0.0.1:3000:3000'], 'published on the host loopback by default');
  const published = interpolate(compose.services.api!, {
    ...exampleEnv,
    ROOTAUDIT_API_PUBLISH: '0.0.0.0:8080',
  });
  t.same(published.ports, ['0.0.0.0:8080:3000']);
  // Healthy = ready (GET /readyz: database reachable and migrated), what `up --wait api` waits for.
  const test = api.healthcheck?.test as string[];
  t.same(test.slice(0, 3), ['CMD', 'node', '-e'], 'checked with node itself, no curl');
  t.match(test[3], /fetch\('http:\/\/127\.0\.0\.1:3000\/readyz'/);
  t.match(api.healthcheck, { interval: '10s', start_period: /s$/ });
  for (const name of ['migrate', 'scheduler', 'worker']) {
    t.same(compose.services[name]!.healthcheck, { disable: true }, `${name} serves no HTTP: no health check`);
  }
});

t.test('workers scale with ROOTAUDIT_WORKER_REPLICAS', async (t) => {
  const worker = compose.services.worker!;
  t.equal(interpolate(worker, exampleEnv).deploy?.replicas, '1');
  t.equal(interpolate(worker, { ...exampleEnv, ROOTAUDIT_WORKER_REPLICAS: '4' }).deploy?.replicas, '4');
  t.equal(schemaErrors(interpolate(compose, { ...exampleEnv, ROOTAUDIT_WORKER_REPLICAS: '4' })), '');
});

t.test(
  'the Dockerfile: multi-stage, client generated at build, non-root, rootaudit as entrypoint',
  async (t) => {
    const { globalArgs, stages } = dockerfile;
    t.ok(stages.length >= 2, 'multi-stage');
    const build = stages.find((stage) => stage.name === 'build');
    const runtime = stages.at(-1)!;
    t.ok(build, 'a build stage');
    const runs = (stage: typeof runtime) =>
      stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((run) => run.arguments);
    t.ok(
      runs(build!).some((run) => run.includes('pnpm db:generate')),
      'the Prisma client is generated in the build stage',
    );
    t.ok(
      runtime.instructions.some((instruction) => /^COPY --from=build /.test(`COPY ${instruction.arguments}`)),
      'the runtime stage copies from the build stage',
    );
    const users = runtime.instructions.filter((instruction) => instruction.keyword === 'USER');
    t.equal(users.length, 1);
    t.notMatch(users[0]?.arguments, /^(root|0)(:|$)/, 'runs as a non-root user');
    t.equal(users[0]?.arguments, 'node', 'the unprivileged user of the official Node.js image');

    const rootPackage = JSON.parse(readText(join(repositoryRoot, 'package.json'))) as {
      packageManager: string;
      rootaudit: { node: string };
    };
    const pnpmArg = globalArgs.find((instruction) => instruction.arguments.startsWith('PNPM_VERSION='));
    t.equal(
      `pnpm@${pnpmArg?.arguments.split('=')[1]}`,
      rootPackage.packageManager,
      'the pnpm of packageManager',
    );
    const nodeArg = globalArgs.find((instruction) => instruction.arguments.startsWith('NODE_VERSION='));
    t.equal(
      nodeArg?.arguments.split('=')[1],
      rootPackage.rootaudit.node.split('.')[0],
      'the major of the Node that package.json pins',
    );
    // Every stage on the official image of that Node (the tag's variable, as Docker reads it).
    for (const stage of stages)
      t.match(stage.base, /^node:\$\{NODE_VERSION\}-bookworm-slim$/, stage.name ?? 'unnamed stage');

    // `rootaudit` in the image is the CLI's bin, linked from the sources copied to WORKDIR.
    const workdir = runtime.instructions.find((instruction) => instruction.keyword === 'WORKDIR')?.arguments;
    t.equal(workdir, '/app');
    const link = runs(runtime)
      .map((run) => /\bln -s (\S+) \/usr\/local\/bin\/rootaudit\b/.exec(run))
      .find(Boolean);
    t.ok(link, 'rootaudit is on PATH');
    t.equal(join(repositoryRoot, link![1]!.replace(/^\/app\//, '')), cliBin);
    accessSync(cliBin, constants.X_OK);
    t.match(readText(cliBin), /^#!\/usr\/bin\/env node\n/);
    const entrypoint = runtime.instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT');
    t.same(execForm(entrypoint!.arguments), ['rootaudit']);

    // Scripts the build runs from the sources exist.
    for (const run of runs(build!)) {
      for (const [, script] of run.matchAll(/\bnode (\S+\.mjs)\b/g)) {
        t.ok(existsSync(join(repositoryRoot, script!)), `${script} exists`);
      }
    }

    const healthcheck = runtime.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK');
    const [, options, command] = /^(.*?)\bCMD (\[.*\])$/.exec(healthcheck?.arguments ?? '') ?? [];
    t.match(options, /--interval=\S+ .*--timeout=\S+/);
    t.equal(execForm(command!)[0], 'node', 'checked with node itself, no curl');
    t.match(execForm(command!).join(' '), /\/healthz/);
  },
);

/** Runs the CLI as the image would, with the environment given and nothing inherited but PATH. */
function rootaudit(args: string[], env: Record<string, string>) {
  return runRootaudit(args, { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env });
}

t.test('every command the image and the compose file run is a real rootaudit command', async (t) => {
  const runtime = dockerfile.stages.at(-1)!;
  const cmd = runtime.instructions.find((instruction) => instruction.keyword === 'CMD');
  const commands = [
    execForm(cmd!.arguments),
    ...rootauditServices.map((name) => commandOf(compose.services[name]!)),
  ];
  t.ok(commands.length >= 5);
  // A command that exists and whose options parse goes on to read its configuration: an invalid
  // LOG_LEVEL then stops it with exit 78 before it touches anything. An unknown command, option or
  // role would exit 2 first.
  const invalidConfig = { LOG_LEVEL: 'bogus', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' };
  await Promise.all(
    commands.map(async (args) => {
      const outcome = await rootaudit(args, invalidConfig);
      t.equal(outcome.code, 78, `rootaudit ${args.join(' ')}`, { stderr: outcome.stderr });
      t.match(outcome.stderr, /invalid configuration: LOG_LEVEL="bogus"/, args.join(' '));
    }),
  );
  // And the control: what is not a command is refused as a usage error.
  const unknown = await rootaudit(['serve'], invalidConfig);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command "serve"/);
  const unknownRole = await rootaudit(['start', '--role', 'web'], invalidConfig);
  t.equal(unknownRole.code, 2);
  t.match(unknownRole.stderr, /--role must be one or more of api, scheduler, worker/);
});

t.test('every variable compose.yaml and .env.example name is one the code or the image reads', async (t) => {
  const config = configVariables();
  // The extraction itself: a few the code is known to read.
  for (const name of ['DATABASE_URL', 'PORT', 'ROOTAUDIT_CONFIG_FILE', 'AWS_DEFAULT_REGION', 'LOG_LEVEL']) {
    t.ok(config.has(name), `config.ts reads ${name}`);
  }
  const readByRootaudit = new Set([...config, ...awsSdkVariables]);

  const passed = new Set<string>();
  for (const name of rootauditServices) {
    for (const variable of environmentEntries(compose.services[name]!).keys()) {
      t.ok(readByRootaudit.has(variable), `${name}: ${variable} is read by rootaudit or the AWS SDK`);
      passed.add(variable);
    }
  }

  const interpolated = interpolatedNames(composeText);
  for (const name of interpolated) {
    t.ok(
      postgresImageVariables.has(name) || composeSettings.has(name),
      `\${${name}} is a PostgreSQL or Compose setting`,
    );
  }
  for (const name of composeSettings) {
    t.ok(interpolated.has(name), `compose.yaml uses ${name}`);
    t.notOk(config.has(name), `the code does not read ${name} (Compose alone does)`);
  }

  const documented = documentedAssignments(envExampleText);
  const known = new Set([...readByRootaudit, ...postgresImageVariables, ...composeSettings]);
  for (const name of documented.keys()) {
    t.ok(known.has(name), `.env.example: ${name} is read by the code, the AWS SDK, PostgreSQL or Compose`);
  }
  for (const name of [...interpolated, ...passed].filter((variable) => variable !== 'DATABASE_URL')) {
    if (['HOST', 'PORT'].includes(name)) continue;
    t.ok(documented.has(name), `.env.example shows how to set ${name}`);
  }
  for (const name of config) {
    t.match(envExampleText, new RegExp(`\\b${name}\\b`), `.env.example documents ${name}`);
    // Only the embedded PostgreSQL reads ROOTAUDIT_DATA_DIR, and the image has none.
    if (name !== 'ROOTAUDIT_DATA_DIR') t.ok(passed.has(name), `compose.yaml passes ${name} to rootaudit`);
  }
  t.equal(
    parseEnvFile(envExampleText).get('POSTGRES_PASSWORD'),
    '',
    'the password is left for the user to choose',
  );
});

t.test('.dockerignore keeps local and generated state out of the build context', async (t) => {
  const patterns = readText(join(repositoryRoot, '.dockerignore'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const pattern of [
    '.git',
    '**/node_modules',
    '.data',
    '.tools',
    '**/generated',
    'bench/results',
    '**/.env',
  ]) {
    t.ok(patterns.includes(pattern), pattern);
  }
});

t.test('the values .env.example shows are valid rootaudit configuration', async (t) => {
  const documented = Object.fromEntries(documentedAssignments(envExampleText));
  t.doesNotThrow(() => loadConfig(documented));
  for (const [name, value] of Object.entries(documented)) {
    if (value === '') continue;
    try {
      loadConfig({ [name]: value });
      t.pass(`${name}=${value}`);
    } catch (error) {
      t.fail(error instanceof ConfigError ? error.message : String(error));
    }
  }
});

t.test(
  "the README's Docker commands name this compose file, its services, and wait before curl",
  async (t) => {
    const readme = readText(join(repositoryRoot, 'README.md'));
    const section = readme.slice(readme.indexOf('## Run with Docker Compose'), readme.indexOf('## Commands'));
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
    t.ok(blocks.length >= 3, 'start, without AWS, backup');
    for (const block of blocks) {
      const lines = block.split('\n');
      for (const line of lines.filter((text) => /^(KEY=\$\()?docker compose /.test(text))) {
        t.match(line, /docker compose -f docker\/compose\.yaml /, line);
        // The service of `exec -T <service> <command>` and `--wait <service>`; every word after `stop`.
        const named = [
          ...[...line.matchAll(/ (?:exec -T|--wait) ([\w-]+)/g)].map((match) => match[1]!),
          ...(/ stop ([\w -]+)$/.exec(line)?.[1]?.split(' ') ?? []),
        ];
        for (const name of named) t.ok(name in compose.services, `${name} is a service (${line.trim()})`);
      }
      // A user who pastes the block gets an answer: the API is waited for before the first curl.
      const firstCurl = lines.findIndex((line) => /^curl /.test(line));
      const firstUp = lines.findIndex((line) => / up -d/.test(line));
      if (firstCurl >= 0 && firstUp >= 0) {
        const wait = lines.findIndex((line) => / up -d --wait api\b/.test(line));
        t.ok(wait > firstUp && wait < firstCurl, 'up -d --wait api between up and the first curl');
      }
    }
    // The settings of "With Docker, without AWS" are the sample organization's.
    const sample = JSON.parse(
      readText(join(repositoryRoot, 'packages/aws-sim/fixtures/sample-org.json')),
    ) as {
      auditRole: { externalId: string };
    };
    t.match(section, `ROOTAUDIT_EXTERNAL_ID=${sample.auditRole.externalId}`);
    t.match(section, 'AWS_ENDPOINT_URL=http://host.docker.internal:4566');
  },
);
