/**
 * Which service control policies in effect on an account deny actions to its root user.
 *
 * In effect: policies attached to the account, to any OU above it (walking `parentId` up the OU
 * tree), or to the organization root; none at all when the SCP policy type is not enabled on the
 * root. (The management account is out of scope: SCPs never apply to it; the check says so.)
 *
 * A policy denies root when one of its statements provably does, for this account's root ARN
 * `arn:<partition>:iam::<account>:root`:
 * - `Effect: Deny` (an Allow never denies);
 * - every action: `Action` is `*` (or a list holding `*`), or `NotAction` excepts at most
 *   `MAX_NOT_ACTION_EXCEPTIONS` exact action names (`service:Action`, no `*` or `?`): an exception
 *   such as `iam:*` or `s3:Get*` leaves root whole services, so it is no root deny;
 * - every resource: `Resource` absent, `*`, or a list holding `*` (a `NotResource` statement does not
 *   count);
 * - a `Condition` that tests `aws:PrincipalArn` (key case-insensitive) and only that key, and that
 *   holds for the root ARN. SCPs have no Principal element: this is how a statement names root.
 *
 * The condition is judged three-valued (holds, fails, unknown) and counts only when it holds:
 * - each value is judged on its own. A value holding a policy variable (`${…}`) is unknown: IAM
 *   substitutes it per request, so taking it literally would guess. A value that is not a full ARN
 *   (`arn:` and six `:`-separated parts, e.g. `*:root`, `*`, `arn:aws:iam::*`) is unknown too: how
 *   ArnLike treats a short pattern is undocumented, and a StringLike wildcard that spans segments
 *   says nothing about which principals were meant. Other values are matched as IAM documents:
 *   StringEquals/StringNotEquals (exact), …IgnoreCase, StringLike/StringNotLike (`*`, `?`,
 *   case-sensitive), ArnLike/ArnEquals and their negations (per segment, wildcards never span a
 *   `:`; IAM gives ArnEquals the ArnLike semantics);
 * - a positive operator holds when one value matches, fails when none can; a negated operator fails
 *   when one value matches (root is exempted), holds when none can;
 * - `Null` holds with `false` (aws:PrincipalArn is in every signed request) and fails with `true`
 *   (`NullIfExists` is not valid IAM: unknown);
 * - `ForAnyValue:` / `ForAllValues:` and `…IfExists` change nothing for the single-valued, always
 *   present aws:PrincipalArn;
 * - operators and keys are ANDed: one failing fails the block, one unknown (another key such as
 *   aws:RequestedRegion, which makes the deny depend on the request, or an operator not listed)
 *   leaves it unknown.
 * So `StringEquals "arn:*:iam::*:root"` does not deny root (the literal never equals a real ARN), a
 * Deny on `arn:aws:iam::*:role/Admin` does not either, while a Deny for every principal except
 * `ArnNotLike …:role/BreakGlass` does. A Deny with no condition is a quarantine, not a root
 * guardrail, and does not count either.
 *
 * Policy content that is not valid JSON is skipped.
 */
import type { Organization, ServiceControlPolicies, ServiceControlPolicy } from '../evidence.ts';

/** A NotAction statement denying everything but this many named actions still counts as "deny all". */
export const MAX_NOT_ACTION_EXCEPTIONS = 10;

/**
 * IAM wildcard match: `*` matches any run of characters (including none), `?` exactly one;
 * everything else is literal.
 */
export function wildcardMatch(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean } = {},
): boolean {
  const p = options.ignoreCase ? pattern.toLowerCase() : pattern;
  const v = options.ignoreCase ? value.toLowerCase() : value;
  // Iterative glob match with backtracking to the last star: linear-ish, no regex injection.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** ARN match as ArnLike does it: six `:`-separated segments, each matched on its own. */
export function arnMatch(pattern: string, arn: string): boolean {
  const split = (text: string): string[] | null => {
    const parts = text.split(':');
    if (parts.length < 6) return null;
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const patternParts = split(pattern);
  const arnParts = split(arn);
  if (!patternParts || !arnParts) return false;
  return patternParts.every((part, i) => wildcardMatch(part, arnParts[i]!));
}

/**
 * The containers above an account or OU, nearest first, ending with the organization root:
 * the parent OU, its parent, …, the root id. Empty for the root itself; `[rootId]` for an id the
 * organization does not know (every account and OU is under the root).
 */
export function ancestorsOf(id: string, organization: Organization): string[] {
  if (id === organization.rootId) return [];
  const parentOf = new Map<string, string>();
  for (const ou of organization.organizationalUnits) parentOf.set(ou.id, ou.parentId);
  for (const account of organization.accounts) parentOf.set(account.id, account.parentId);
  const chain: string[] = [];
  const seen = new Set<string>([id]);
  let current = parentOf.get(id);
  while (current !== undefined && current !== organization.rootId && !seen.has(current)) {
    seen.add(current);
    chain.push(current);
    current = parentOf.get(current);
  }
  chain.push(organization.rootId);
  return chain;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asStrings(value: Json | undefined): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return null;
}

const matchesEverything = (pattern: string): boolean => /^\*+$/.test(pattern) || pattern === '*:*';

/** An exact action name: `service:Action`, no wildcard (IAM matches actions case-insensitively). */
const EXACT_ACTION = /^[a-z0-9-]+:[a-z0-9]+$/i;

function coversEveryAction(statement: JsonObject): boolean {
  if (statement.Action !== undefined) {
    if (statement.NotAction !== undefined) return false;
    return asStrings(statement.Action)?.some(matchesEverything) ?? false;
  }
  const exceptions = asStrings(statement.NotAction);
  return (
    exceptions !== null &&
    exceptions.length <= MAX_NOT_ACTION_EXCEPTIONS &&
    exceptions.every((exception) => EXACT_ACTION.test(exception))
  );
}

function coversAllResources(statement: JsonObject): boolean {
  if (statement.NotResource !== undefined) return false;
  if (statement.Resource === undefined) return true;
  const resources = asStrings(statement.Resource);
  return resources?.some(matchesEverything) ?? false;
}

/** Three-valued: whether something holds for root, or cannot be told from the policy text. */
export type Truth = 'holds' | 'fails' | 'unknown';

function all(truths: Truth[]): Truth {
  if (truths.includes('fails')) return 'fails';
  return truths.includes('unknown') ? 'unknown' : 'holds';
}

type ValueTest = (pattern: string, value: string) => boolean;

const VALUE_TESTS: Record<string, { test: ValueTest; negated: boolean }> = {
  stringequals: { test: (pattern, value) => pattern === value, negated: false },
  stringnotequals: { test: (pattern, value) => pattern === value, negated: true },
  stringequalsignorecase: {
    test: (pattern, value) => pattern.toLowerCase() === value.toLowerCase(),
    negated: false,
  },
  stringnotequalsignorecase: {
    test: (pattern, value) => pattern.toLowerCase() === value.toLowerCase(),
    negated: true,
  },
  stringlike: { test: (pattern, value) => wildcardMatch(pattern, value), negated: false },
  stringnotlike: { test: (pattern, value) => wildcardMatch(pattern, value), negated: true },
  arnlike: { test: arnMatch, negated: false },
  arnequals: { test: arnMatch, negated: false },
  arnnotlike: { test: arnMatch, negated: true },
  arnnotequals: { test: arnMatch, negated: true },
};

/**
 * A value the policy text alone decides: a full ARN (`arn:` and six parts), no policy variable. The
 * `arn` prefix must be as IAM writes it (whether ArnLike folds its case is not documented), except
 * for the …IgnoreCase operators, which fold everything.
 */
function isDecidablePrincipalArn(value: string, ignoreCase: boolean): boolean {
  const parts = (ignoreCase ? value.toLowerCase() : value).split(':');
  return !value.includes('${') && parts.length >= 6 && parts[0] === 'arn';
}

/** Condition values as IAM reads them: a string, or a list of them; JSON booleans read as text. */
function conditionValues(value: Json | undefined): string[] | null {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return null;
  const texts: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') texts.push(item);
    else if (typeof item === 'boolean') texts.push(String(item));
    else return null;
  }
  return texts;
}

/** One operator on aws:PrincipalArn, judged for a request by `rootArn`. */
function operatorTruth(operatorName: string, rawValues: Json, rootArn: string): Truth {
  const operator = operatorName
    .replace(/^for(?:anyvalue|allvalues):/i, '')
    .replace(/ifexists$/i, '')
    .toLowerCase();
  const values = conditionValues(rawValues);
  if (values === null) return 'unknown';
  if (operator === 'null') {
    if (/ifexists$/i.test(operatorName)) return 'unknown';
    // aws:PrincipalArn is in every signed request: `Null: false` holds, `Null: true` fails.
    const set = new Set(values.map((value) => value.toLowerCase()));
    if (set.size !== 1) return 'unknown';
    return set.has('false') ? 'holds' : set.has('true') ? 'fails' : 'unknown';
  }
  const rule = VALUE_TESTS[operator];
  if (!rule) return 'unknown';
  const matches: Truth[] = values.map((value) => {
    if (!isDecidablePrincipalArn(value, operator.endsWith('ignorecase'))) return 'unknown';
    return rule.test(value, rootArn) ? 'holds' : 'fails';
  });
  const anyMatch: Truth = matches.includes('holds')
    ? 'holds'
    : matches.includes('unknown')
      ? 'unknown'
      : 'fails';
  if (!rule.negated || anyMatch === 'unknown') return anyMatch;
  return anyMatch === 'holds' ? 'fails' : 'holds';
}

/**
 * Whether a statement's Condition block holds for a request by `rootArn`, when every key it tests
 * is `aws:PrincipalArn`; `unknown` when it tests anything else or cannot be told from its text.
 * A missing or empty block is `unknown` too: it targets no principal.
 */
export function conditionTruth(condition: Json | undefined, rootArn: string): Truth {
  if (!isObject(condition) || Object.keys(condition).length === 0) return 'unknown';
  const truths: Truth[] = [];
  for (const [operatorName, keys] of Object.entries(condition)) {
    if (!isObject(keys) || Object.keys(keys).length === 0) return 'unknown';
    for (const [key, rawValues] of Object.entries(keys)) {
      truths.push(
        key.toLowerCase() === 'aws:principalarn'
          ? operatorTruth(operatorName, rawValues, rootArn)
          : 'unknown',
      );
    }
  }
  return all(truths);
}

function statementsOf(content: string): JsonObject[] {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    return [];
  }
  if (!isObject(document)) return [];
  const statement = document.Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.filter(isObject);
}

/**
 * Whether one statement denies `rootArn` every action (but a few named ones) on every resource:
 * `holds` when provably so; `fails` when provably not (root keeps some request); `unknown` when the
 * text alone cannot tell (a policy variable, a pattern that is not a full ARN, another condition
 * key, no condition).
 */
export function statementDeniesRoot(statement: JsonObject, rootArn: string): Truth {
  if (statement.Effect !== 'Deny' || !coversEveryAction(statement) || !coversAllResources(statement)) {
    return 'fails';
  }
  return conditionTruth(statement.Condition, rootArn);
}

/** Whether the policy document (JSON text) provably denies every action by `rootArn`. */
export function policyDeniesRoot(content: string, rootArn: string): boolean {
  return statementsOf(content).some((statement) => statementDeniesRoot(statement, rootArn) === 'holds');
}

/**
 * Whether the policy holds a statement that would deny `rootArn` every action, but whose condition
 * the policy text cannot prove (a policy variable, a pattern that is not a full ARN, another
 * condition key), and none that provably does. Such a policy does not count; the check names it.
 */
export function policyRootDenialUndecided(content: string, rootArn: string): boolean {
  const statements = statementsOf(content);
  const truths = statements.map((statement) => statementDeniesRoot(statement, rootArn));
  return (
    !truths.includes('holds') &&
    statements.some((statement, i) => truths[i] === 'unknown' && statement.Condition !== undefined)
  );
}

type Attached = { policy: ServiceControlPolicy; attachedTo: string };

/**
 * SCPs in effect on the account, each with the target it is attached to (the account id, an OU id,
 * or the root id), nearest first; none when the SCP policy type is not enabled on the root.
 */
export function policiesInEffect(input: {
  accountId: string;
  organization: Organization;
  scps: ServiceControlPolicies;
}): Attached[] {
  const { accountId, organization, scps } = input;
  if (!scps.enabledOnRoot) return [];
  const targets = [accountId, ...ancestorsOf(accountId, organization)];
  return targets.flatMap((target) =>
    scps.policies
      .filter((policy) => policy.targetIds.includes(target))
      .map((policy) => ({ policy, attachedTo: target })),
  );
}

const rootArnOf = (accountId: string, organization: Organization): string =>
  `arn:${organization.partition}:iam::${accountId}:root`;

/** SCPs in effect on the account that deny actions to its root user (see the module comment). */
export function findRootDenyingPolicies(input: {
  accountId: string;
  organization: Organization;
  scps: ServiceControlPolicies;
}): Attached[] {
  const rootArn = rootArnOf(input.accountId, input.organization);
  return policiesInEffect(input).filter(({ policy }) => policyDeniesRoot(policy.content, rootArn));
}

/** SCPs in effect on the account whose root deny cannot be proven from their text. */
export function findUndecidedRootDenials(input: {
  accountId: string;
  organization: Organization;
  scps: ServiceControlPolicies;
}): Attached[] {
  const rootArn = rootArnOf(input.accountId, input.organization);
  return policiesInEffect(input).filter(({ policy }) => policyRootDenialUndecided(policy.content, rootArn));
}
