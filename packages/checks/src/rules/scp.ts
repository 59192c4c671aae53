/**
 * Which service control policies in effect on an account deny actions to its root user.
 *
 * In effect: policies attached to the account, to any OU above it (walking `parentId` up the OU
 * tree), or to the organization root; none at all when the SCP policy type is not enabled on the
 * root. (The management account is out of scope: SCPs never apply to it; the check says so.)
 *
 * A policy denies root when one of its statements
 * - has `Effect: Deny`;
 * - covers actions broadly: `Action` is `*` (or a list holding `*`), or `NotAction` lists at most
 *   `MAX_NOT_ACTION_EXCEPTIONS` exceptions, none of them `*`. A Deny of a few named actions (say
 *   `s3:GetObject`) is not a root guardrail;
 * - applies to every resource: `Resource` absent, `*`, or a list holding `*` (a `NotResource`
 *   statement does not count);
 * - has a `Condition` that tests `aws:PrincipalArn` (key case-insensitive) and only that key, and
 *   that condition holds for this account's root ARN `arn:<partition>:iam::<account>:root`.
 *   Operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase
 *   (exact), StringLike, StringNotLike (`*` and `?` wildcards, case-sensitive), ArnLike, ArnNotLike,
 *   ArnEquals, ArnNotEquals (per ARN segment, wildcards never span a `:`; IAM gives ArnEquals the same
 *   wildcard semantics as ArnLike), and Null; with an optional `ForAnyValue:` / `ForAllValues:`
 *   prefix and `IfExists` suffix, which change nothing for the single-valued, always-present
 *   `aws:PrincipalArn`. A positive operator holds when any value matches; a negated one when none
 *   does. So `StringEquals "arn:*:iam::*:root"` does not deny root (the literal never equals a real
 *   ARN), a Deny on `arn:aws:iam::*:role/Admin` does not either, while a Deny for every principal
 *   except `ArnNotLike …:role/BreakGlass` does. Any other condition key (or operator) makes the
 *   statement conditional on the request, and it does not count. A Deny with no condition is a
 *   quarantine, not a root guardrail, and does not count either.
 *
 * Policy content that is not valid JSON is skipped.
 */
import type { Organization, ServiceControlPolicies, ServiceControlPolicy } from '../evidence.ts';

/** A NotAction statement denying everything but this many actions still counts as "deny all". */
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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asStrings(value: Json | undefined): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return null;
}

const matchesEverything = (pattern: string): boolean => /^\*+$/.test(pattern) || pattern === '*:*';

function coversActionsBroadly(statement: JsonObject): boolean {
  if (statement.Action !== undefined) {
    const actions = asStrings(statement.Action);
    return actions?.some(matchesEverything) ?? false;
  }
  const exceptions = asStrings(statement.NotAction);
  return (
    exceptions !== null &&
    exceptions.length <= MAX_NOT_ACTION_EXCEPTIONS &&
    !exceptions.some((exception) => exception.includes('*') && exception.split(':')[0]!.includes('*'))
  );
}

function coversAllResources(statement: JsonObject): boolean {
  if (statement.NotResource !== undefined) return false;
  if (statement.Resource === undefined) return true;
  const resources = asStrings(statement.Resource);
  return resources?.some(matchesEverything) ?? false;
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
 * Whether a statement's Condition block holds for a request by `rootArn`, considering it only when
 * every key it tests is `aws:PrincipalArn`. null when the block tests anything else.
 */
function conditionHoldsForRoot(condition: Json | undefined, rootArn: string): boolean | null {
  if (!isObject(condition) || Object.keys(condition).length === 0) return null;
  let holds = true;
  for (const [operatorName, keys] of Object.entries(condition)) {
    if (!isObject(keys) || Object.keys(keys).length === 0) return null;
    const operator = operatorName
      .replace(/^for(?:anyvalue|allvalues):/i, '')
      .replace(/ifexists$/i, '')
      .toLowerCase();
    for (const [key, rawValues] of Object.entries(keys)) {
      if (key.toLowerCase() !== 'aws:principalarn') return null;
      const values = asStrings(rawValues);
      if (values === null || values.length === 0) return null;
      if (operator === 'null') {
        // aws:PrincipalArn is always present: `Null: true` never holds, `Null: false` always does.
        holds &&= values.some((value) => value.toLowerCase() === 'false');
        continue;
      }
      const rule = VALUE_TESTS[operator];
      if (!rule) return null;
      const anyMatch = values.some((value) => rule.test(value, rootArn));
      holds &&= rule.negated ? !anyMatch : anyMatch;
    }
  }
  return holds;
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

/** Whether the policy document (JSON text) denies, broadly, every action by `rootArn`. */
export function policyDeniesRoot(content: string, rootArn: string): boolean {
  return statementsOf(content).some(
    (statement) =>
      statement.Effect === 'Deny' &&
      coversActionsBroadly(statement) &&
      coversAllResources(statement) &&
      conditionHoldsForRoot(statement.Condition, rootArn) === true,
  );
}

/**
 * SCPs in effect on the account that deny actions to its root user (see the module comment), each
 * with the target it is attached to: the account id, an OU id, or the root id, nearest first.
 */
export function findRootDenyingPolicies(input: {
  accountId: string;
  organization: Organization;
  scps: ServiceControlPolicies;
}): { policy: ServiceControlPolicy; attachedTo: string }[] {
  const { accountId, organization, scps } = input;
  if (!scps.enabledOnRoot) return [];
  const rootArn = `arn:${organization.partition}:iam::${accountId}:root`;
  const targets = [accountId, ...ancestorsOf(accountId, organization)];
  const found: { policy: ServiceControlPolicy; attachedTo: string }[] = [];
  for (const target of targets) {
    for (const policy of scps.policies) {
      if (policy.targetIds.includes(target) && policyDeniesRoot(policy.content, rootArn)) {
        found.push({ policy, attachedTo: target });
      }
    }
  }
  return found;
}
