/**
 * EventBridge event patterns, judged against the family of root events.
 *
 * `matchesEventPattern` implements EventBridge matching: every pattern key must match (AND); a leaf
 * is an array of matchers, any of which may match (OR); a nested object matches the event's nested
 * object; `$or` at any level holds when any of its sub-patterns holds. When the event value is an
 * array, the leaf matches when any element does (a pattern object against an array of objects
 * matches when any element does). Matchers: exact strings, numbers, booleans and null; `prefix`,
 * `suffix` (each also `{ "equals-ignore-case": … }`); `equals-ignore-case`; `wildcard` (`*`,
 * `\*` for a literal star); `anything-but` (a value, a list, or `prefix` / `suffix` /
 * `equals-ignore-case` / `wildcard`); `exists`; `numeric` ranges; `cidr` (IPv4 only). Anything else
 * makes the pattern invalid (`InvalidEventPatternError`).
 *
 * `judgeRootActivityPattern` decides by example, against the family of root events of the rule's
 * account and region (root-event-family.ts): sign-ins (success and failure, MFA or not), API calls
 * (AKIA and ASIA keys, MFA or not, read and write, success and error, several services), any IP and
 * user agent. A pattern counts for a kind of root activity only when it matches every member of it,
 * so a pattern that matched a few samples by coincidence (a source IP, `readOnly`, `errorCode`, an
 * MFA flag, a key prefix) does not. A pattern that also matches ordinary IAM-user or assumed-role
 * events alerts on everything, which alerts nobody: the check does not count it.
 */
import {
  asEventBridgeEvent,
  describeRootRecord,
  type FamilyScope,
  type Json,
  type JsonObject,
  ordinaryActivity,
  rootActivityFamily,
} from './root-event-family.ts';

export class InvalidEventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventPatternError';
  }
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(message: string): never {
  throw new InvalidEventPatternError(message);
}

/**
 * Whether `event` matches `pattern` under EventBridge semantics (see the module comment).
 * Throws `InvalidEventPatternError` when the pattern is not a valid event pattern.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) invalid('an event pattern is a JSON object');
  return matchObject(pattern, event);
}

function matchObject(pattern: JsonObject, event: unknown): boolean {
  // An array of objects in the event: the pattern matches when it matches one element.
  if (Array.isArray(event)) return event.some((element) => matchObject(pattern, element));
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) invalid('$or takes an array of at least two patterns');
      return rule.some((alternative) => {
        if (!isObject(alternative)) invalid('each $or alternative is an object');
        return matchObject(alternative, event);
      });
    }
    if (Array.isArray(rule)) return matchLeaf(rule, fields[key]);
    if (isObject(rule)) return matchObject(rule, fields[key]);
    return invalid(`the value of "${key}" must be an array or an object`);
  });
}

function matchLeaf(matchers: Json[], value: Json | undefined): boolean {
  if (matchers.length === 0) invalid('a pattern array cannot be empty');
  // Validate every matcher, even after one matched: an invalid pattern is invalid wherever it is.
  const results = matchers.map((matcher) => matchOne(matcher, value));
  return results.some(Boolean);
}

/** The event's value as candidates: an array's elements, or the value itself. */
function candidates(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function matchOne(matcher: Json, value: Json | undefined): boolean {
  if (!isObject(matcher)) {
    if (Array.isArray(matcher)) invalid('a matcher cannot be an array');
    return candidates(value).some((candidate) => candidate === matcher);
  }
  const entries = Object.entries(matcher);
  if (entries.length !== 1) invalid('a matcher object has exactly one operator');
  const [operator, argument] = entries[0]!;
  const strings = candidates(value).filter((candidate): candidate is string => typeof candidate === 'string');
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const test = stringTest(operator, argument);
      return strings.some(test);
    }
    case 'equals-ignore-case': {
      if (typeof argument !== 'string') invalid('equals-ignore-case takes a string');
      return strings.some((candidate) => foldCase(candidate) === foldCase(argument));
    }
    case 'wildcard': {
      if (typeof argument !== 'string') invalid('wildcard takes a string');
      const regex = wildcardRegex(argument);
      return strings.some((candidate) => regex.test(candidate));
    }
    case 'exists': {
      if (typeof argument !== 'boolean') invalid('exists takes true or false');
      // exists applies to leaves: an object value is not a leaf.
      const present = value !== undefined && !isObject(value);
      return argument ? present : !present;
    }
    case 'numeric': {
      const test = numericTest(argument);
      return candidates(value).some((candidate) => typeof candidate === 'number' && test(candidate));
    }
    case 'anything-but': {
      const excluded = anythingButTest(argument);
      // Like every matcher but `exists: false`, anything-but needs the field to be present.
      return candidates(value).some((candidate) => !excluded(candidate));
    }
    case 'cidr': {
      if (typeof argument !== 'string') invalid('cidr takes a string');
      const test = cidrTest(argument);
      return strings.some(test);
    }
    default:
      return invalid(`unknown matcher "${operator}"`);
  }
}

function foldCase(text: string): string {
  return text.toLowerCase();
}

/** `prefix` / `suffix`, with a string or `{ "equals-ignore-case": string }`. */
function stringTest(operator: 'prefix' | 'suffix', argument: Json): (candidate: string) => boolean {
  let expected: string;
  let ignoreCase = false;
  if (typeof argument === 'string') {
    expected = argument;
  } else if (
    isObject(argument) &&
    typeof argument['equals-ignore-case'] === 'string' &&
    Object.keys(argument).length === 1
  ) {
    expected = foldCase(argument['equals-ignore-case']);
    ignoreCase = true;
  } else {
    return invalid(`${operator} takes a string or { "equals-ignore-case": string }`);
  }
  return (candidate) => {
    const text = ignoreCase ? foldCase(candidate) : candidate;
    return operator === 'prefix' ? text.startsWith(expected) : text.endsWith(expected);
  };
}

/** EventBridge wildcard: `*` any run of characters, `\*` a literal star, `\\` a literal backslash. */
function wildcardRegex(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i]!;
    if (char === '\\' && (wildcard[i + 1] === '*' || wildcard[i + 1] === '\\')) {
      source += `\\${wildcard[i + 1]}`;
      i++;
    } else if (char === '*') {
      if (wildcard[i + 1] === '*') invalid('wildcard cannot contain consecutive *');
      source += '.*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function numericTest(argument: Json): (candidate: number) => boolean {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0 || argument.length > 4) {
    invalid('numeric takes [op, number] or [op, number, op, number]');
  }
  const tests: ((candidate: number) => boolean)[] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const operator = argument[i];
    const bound = argument[i + 1];
    if (typeof bound !== 'number') invalid('numeric bounds are numbers');
    switch (operator) {
      case '=':
        tests.push((candidate) => candidate === bound);
        break;
      case '<':
        tests.push((candidate) => candidate < bound);
        break;
      case '<=':
        tests.push((candidate) => candidate <= bound);
        break;
      case '>':
        tests.push((candidate) => candidate > bound);
        break;
      case '>=':
        tests.push((candidate) => candidate >= bound);
        break;
      default:
        invalid(`unknown numeric operator ${JSON.stringify(operator)}`);
    }
  }
  return (candidate) => tests.every((test) => test(candidate));
}

/** The values anything-but excludes, as a predicate on one candidate. */
function anythingButTest(argument: Json): (candidate: Json) => boolean {
  if (isObject(argument)) {
    const entries = Object.entries(argument);
    if (entries.length !== 1) invalid('anything-but takes one operator');
    const [operator, inner] = entries[0]!;
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0 || !list.every((item) => typeof item === 'string')) {
      invalid(`anything-but ${operator} takes a string or a list of strings`);
    }
    const texts = list as string[];
    let test: (candidate: string) => boolean;
    switch (operator) {
      case 'prefix':
        test = (candidate) => texts.some((text) => candidate.startsWith(text));
        break;
      case 'suffix':
        test = (candidate) => texts.some((text) => candidate.endsWith(text));
        break;
      case 'equals-ignore-case':
        test = (candidate) => texts.some((text) => foldCase(candidate) === foldCase(text));
        break;
      case 'wildcard': {
        const regexes = texts.map(wildcardRegex);
        test = (candidate) => regexes.some((regex) => regex.test(candidate));
        break;
      }
      default:
        return invalid(`unknown anything-but operator "${operator}"`);
    }
    // A non-string value is never excluded by a string operator.
    return (candidate) => typeof candidate === 'string' && test(candidate);
  }
  const list = Array.isArray(argument) ? argument : [argument];
  if (list.some((item) => item !== null && typeof item === 'object')) {
    invalid('anything-but takes a value, a list of values, or one operator');
  }
  return (candidate) => list.some((item) => item === candidate);
}

function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let result = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    result = result * 256 + Number(part);
  }
  return result;
}

function cidrTest(cidr: string): (candidate: string) => boolean {
  const [address, bits] = cidr.split('/');
  const base = parseIpv4(address ?? '');
  const length = Number(bits);
  if (base === null || !Number.isInteger(length) || length < 0 || length > 32) {
    invalid(`cidr "${cidr}" is not an IPv4 CIDR block (IPv6 is not supported here)`);
  }
  const size = 2 ** (32 - length);
  const network = Math.floor(base / size) * size;
  return (candidate) => {
    const ip = parseIpv4(candidate);
    return ip !== null && Math.floor(ip / size) * size === network;
  };
}

// ── Judging a rule's pattern against root activity ──────────────────────────────────────────

/** What a rule's pattern does with the events its rule receives. */
export interface RootActivityJudgement {
  /** The text is a valid event pattern (invalid: every other field is false). */
  valid: boolean;
  /** Matches every form of root console sign-in. */
  signIns: boolean;
  /** Matches every form of root API call that changes something. */
  writeCalls: boolean;
  /** Matches every form of read-only root API call, and the rule receives them. */
  readCalls: boolean;
  /** Matches an ordinary IAM-user or assumed-role event it receives: it alerts on everything. */
  alertsOnOrdinaryActivity: boolean;
  /** For a kind matched only in part: one form of it the pattern misses, in words. */
  misses: { signIns: string | null; writeCalls: string | null };
}

/**
 * Judges a rule's event pattern (JSON text) against the family of root events of its account and
 * region (see root-event-family.ts), as EventBridge delivers them. `receivesReadOnly`: the rule is
 * in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; in state ENABLED, EventBridge never hands
 * it read-only management events, so neither their root nor their ordinary forms are judged.
 */
export function judgeRootActivityPattern(
  eventPattern: string,
  scope: FamilyScope,
  receivesReadOnly: boolean,
): RootActivityJudgement {
  const none: RootActivityJudgement = {
    valid: false,
    signIns: false,
    writeCalls: false,
    readCalls: false,
    alertsOnOrdinaryActivity: false,
    misses: { signIns: null, writeCalls: null },
  };
  let pattern: unknown;
  try {
    pattern = JSON.parse(eventPattern);
  } catch {
    return none;
  }
  const root = rootActivityFamily(scope);
  const ordinary = ordinaryActivity(scope);
  const matches = (record: JsonObject) => matchesEventPattern(pattern, asEventBridgeEvent(record, scope));
  const matchesAll = (records: JsonObject[]) => records.every(matches);
  const matchesAny = (records: JsonObject[]) => records.some(matches);
  /** A record the pattern misses, when it matches others of the same kind. */
  const missed = (records: JsonObject[]) => {
    const miss = records.find((record) => !matches(record));
    return miss && records.some(matches) ? describeRootRecord(miss) : null;
  };
  try {
    return {
      valid: true,
      signIns: matchesAll(root.signIns),
      writeCalls: matchesAll(root.writeCalls),
      readCalls: receivesReadOnly && matchesAll(root.readCalls),
      alertsOnOrdinaryActivity: matchesAny([
        ...ordinary.signIns,
        ...ordinary.writeCalls,
        ...(receivesReadOnly ? ordinary.readCalls : []),
      ]),
      misses: { signIns: missed(root.signIns), writeCalls: missed(root.writeCalls) },
    };
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return none;
    throw error;
  }
}
