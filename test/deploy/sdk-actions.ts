/**
 * The AWS actions source code can call, read from the code itself: every SDK v3 Command class and
 * `paginate*` function imported from an `@aws-sdk/client-*` package, mapped to its IAM action
 * (`<service prefix>:<Operation>`). Imports are the unit on purpose: a Command the code imports is one
 * it can send, whichever way it reaches `client.send`. Anything else that could call AWS out of the
 * extractor's sight (namespace or default imports, aggregated clients such as `new IAM()`, dynamic
 * imports, other `@aws-sdk/*` packages) is reported as a problem rather than skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** IAM service prefix of each SDK client package. A package missing here is reported, never guessed. */
export const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-account': 'account',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-guardduty': 'guardduty',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * Operations whose IAM action is not named after them (`s3:ListObjectsV2` is `s3:ListBucket`, for
 * instance). SQS's batch operations have no action of their own: the single one's permission
 * allows its batch version.
 */
export const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

export interface SdkCall {
  action: string;
  /** `path:line` of the import (and the first `new`/call of it when there is one). */
  where: string;
}

export interface Extraction {
  calls: SdkCall[];
  problems: string[];
}

/**
 * Whether a value export of an SDK package is something that sends requests by itself (a function
 * or class other than a client, a Command, a paginator or an exception). Given by the caller, which
 * can load the package; without it every unrecognised value import is a problem.
 */
export type ExportInspector = (module: string, name: string, fromFile: string) => 'inert' | 'may-call-aws';

const CLIENT_PACKAGE = /^@aws-sdk\/client-[a-z0-9-]+$/;

function actionFor(prefix: string, operation: string): string {
  const action = `${prefix}:${operation}`;
  return ACTION_OF_OPERATION[action] ?? action;
}

/** The SDK actions one source file can call. `file` is only used in messages. */
export function sdkCallsInSource(file: string, text: string, inspect?: ExportInspector): Extraction {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const calls: SdkCall[] = [];
  const problems: string[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const at = (node: ts.Node) => `${file}:${lineOf(node)}`;
  /** Local names bound to Commands or paginators, with their action. */
  const bound = new Map<string, { action: string; importedAt: string; usedAt?: string }>();

  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    if (!module.startsWith('@aws-sdk/')) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    if (!CLIENT_PACKAGE.test(module)) {
      problems.push(
        `${at(statement)}: imports values from ${module}, which can call AWS in ways this check does not map to IAM actions`,
      );
      continue;
    }
    const prefix = SERVICE_PREFIX[module];
    if (prefix === undefined) {
      problems.push(`${at(statement)}: ${module} has no IAM service prefix in SERVICE_PREFIX`);
      continue;
    }
    if (clause.name) problems.push(`${at(statement)}: default import of ${module}; import Commands by name`);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) {
      problems.push(`${at(statement)}: namespace import of ${module}; import Commands by name`);
      continue;
    }
    for (const element of bindings?.elements ?? []) {
      if (element.isTypeOnly) continue;
      const imported = (element.propertyName ?? element.name).text;
      const local = element.name.text;
      if (/^[A-Z]\w*Command$/.test(imported)) {
        bound.set(local, {
          action: actionFor(prefix, imported.slice(0, -'Command'.length)),
          importedAt: at(element),
        });
      } else if (/^paginate[A-Z]\w*$/.test(imported)) {
        bound.set(local, {
          action: actionFor(prefix, imported.slice('paginate'.length)),
          importedAt: at(element),
        });
      } else if (/^waitUntil[A-Z]/.test(imported)) {
        problems.push(`${at(element)}: waiter ${imported} polls operations this check cannot name`);
      } else if (/(Client|Exception|ServiceException)$/.test(imported)) {
        // Clients only send what they are given; exceptions are for instanceof.
      } else if (inspect?.(module, imported, file) !== 'inert') {
        problems.push(
          `${at(element)}: ${imported} from ${module} may call AWS (an aggregated client?); use Commands`,
        );
      }
    }
  }

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee)) {
        const binding = bound.get(callee.text);
        if (binding && binding.usedAt === undefined) binding.usedAt = at(node);
      }
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] !== undefined &&
        ts.isStringLiteral(node.arguments[0]) &&
        node.arguments[0].text.startsWith('@aws-sdk/')
      ) {
        problems.push(`${at(node)}: dynamic import of ${node.arguments[0].text}; import Commands statically`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  for (const { action, importedAt, usedAt } of bound.values()) {
    calls.push({ action, where: usedAt ?? importedAt });
  }
  return { calls, problems };
}

/** Loads the SDK package as the importing file would, and calls functions other than clients "may call". */
export const inspectByLoading: ExportInspector = (module, name, fromFile) => {
  const exports = createRequire(fromFile)(module) as Record<string, unknown>;
  const value = exports[name];
  return typeof value === 'function' ? 'may-call-aws' : 'inert';
};

export interface SourceScan {
  root: string;
  /** Directories (relative to root) whose `.ts` files are production code. */
  directories: string[];
  /** Relative paths left out, with the reason. */
  exclude: (path: string) => string | null;
}

async function typeScriptFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(
    (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.includes('/node_modules/') && !path.includes('/generated/'));
}

export interface SourceExtraction extends Extraction {
  files: string[];
  excluded: { path: string; reason: string }[];
  /** Every action, with each place that can call it. */
  actions: Map<string, string[]>;
}

export async function sdkCallsInTree(scan: SourceScan, inspect: ExportInspector = inspectByLoading) {
  const result: SourceExtraction = { calls: [], problems: [], files: [], excluded: [], actions: new Map() };
  for (const directory of scan.directories) {
    for (const absolute of (await typeScriptFiles(join(scan.root, directory))).sort()) {
      const path = relative(scan.root, absolute);
      const reason = scan.exclude(path);
      if (reason) {
        result.excluded.push({ path, reason });
        continue;
      }
      result.files.push(path);
      const { calls, problems } = sdkCallsInSource(path, await readFile(absolute, 'utf8'), (m, n) =>
        inspect(m, n, absolute),
      );
      result.calls.push(...calls);
      result.problems.push(...problems);
    }
  }
  for (const call of result.calls) {
    const places = result.actions.get(call.action) ?? [];
    places.push(call.where);
    result.actions.set(call.action, places);
  }
  return result;
}

export interface Comparison {
  /** Called, not granted: `action (called at …)`. */
  missing: string[];
  /** Granted, never called: `action (granted by …)`. */
  unused: string[];
}

/** What `granted` lacks of `called`, and what it has that nothing calls; both sorted. */
export function compareActions(
  called: ReadonlyMap<string, readonly string[]>,
  granted: ReadonlyMap<string, string>,
): Comparison {
  const missing = [...called]
    .filter(([action]) => !granted.has(action))
    .map(([action, places]) => `${action} (called at ${places.join(', ')})`)
    .sort();
  const unused = [...granted]
    .filter(([action]) => !called.has(action))
    .map(([action, where]) => `${action} (granted by ${where})`)
    .sort();
  return { missing, unused };
}
