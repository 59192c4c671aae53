/**
 * CloudWatch Logs JSON filter patterns, compared to the CIS root-usage filter by meaning.
 *
 * The CIS filter (CIS 4.3 / 5.3, Security Hub CloudWatch.1) is
 *   { $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }
 *
 * Criterion: a filter counts when every CloudTrail event the CIS filter matches is also matched by
 * it, and no ordinary IAM-user or assumed-role call is. It may be wider than CIS as long as it still
 * keys on root; a narrower one (e.g. `&& $.eventName = "ConsoleLogin"`) misses root API calls, and
 * one that matches everyone's calls (`{ $.eventName = * }`) raises the metric all day: neither counts.
 *
 * Decision procedure (sound, not complete): the set of events the CIS filter matches is described
 * per field (`ROOT_USAGE_EVENT_MODEL`): `userIdentity.type` is exactly "Root",
 * `userIdentity.invokedBy` is absent, `eventType` is a string other than "AwsServiceEvent", plus a few
 * facts true of every root CloudTrail record (`userIdentity.arn` is `arn:*:iam::*:root`; `eventName`,
 * `eventSource`… are present strings). Every other field may hold anything or be absent. An atom of
 * the filter is "implied" when it holds for every value the model allows; an `&&` is implied when
 * all its clauses are, an `||` when any is. The filter counts when its whole expression is implied.
 * When that cannot show it, a modelled string field is split into the exact strings the filter
 * compares it with plus "any other string", and every case must hold (so `$.eventName = "X" ||
 * $.eventName != "X"` is covered). The answer is never "true" for a filter that misses a root event
 * the model allows; it can be "false" for a filter that covers root usage only through wildcard
 * values or through fields outside the model (`$.errorCode NOT EXISTS || $.errorCode = *`).
 * The filter is then run on the records of the root-event family shared with the EventBridge judge
 * (root-event-family.ts): it must match every root record, and no ordinary IAM-user or
 * assumed-role record (sign-ins and calls, read and write, success and error).
 *
 * Syntax supported (the JSON pattern language): `{ … }` around the expression; selectors `$.a.b`,
 * `$.a[0]`, `$.a[*]`; `=` `!=` on strings (double-quoted or bare; `*` is a wildcard anywhere in the
 * value) and numbers; `<` `>` `<=` `>=` on numbers; `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`
 * (keywords case-insensitive); `%regex%` values; `&&` binding tighter than `||`; parentheses;
 * whitespace anywhere between tokens. CloudWatch documents only double quotes for strings, so a
 * single-quoted value is a syntax error here. Regex atoms are parsed but never counted as implied,
 * because CloudWatch's regex dialect and anchoring differ from JavaScript's. Non-JSON patterns
 * (empty, terms, space-delimited `[…]`) are not parsed: they are not root-usage filters.
 */

import { ordinaryActivity, rootActivityFamily } from './root-event-family.ts';

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterValue =
  /** `*` in `value` is a wildcard (quoted or not). */
  | { kind: 'string'; value: string; quoted: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'regex'; source: string };

export type FilterTest = 'IS NULL' | 'NOT EXISTS' | 'IS TRUE' | 'IS FALSE';

export type FilterExpression =
  | { kind: 'and'; clauses: FilterExpression[] }
  | { kind: 'or'; clauses: FilterExpression[] }
  /** `path` is the selector without `$.`, array indexes kept as `[0]`: `userIdentity.type`, `a[0].b`. */
  | { kind: 'compare'; path: string; operator: ComparisonOperator; value: FilterValue }
  | { kind: 'test'; path: string; test: FilterTest };

export class FilterPatternSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'FilterPatternSyntaxError';
  }
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Characters that end a bare (unquoted) value. */
const BARE_VALUE_END = /[\s(){}&|]/;
/** Characters allowed in a selector property name. */
const PROPERTY_NAME = /[A-Za-z0-9_\-@:$]/;

/**
 * Parses a CloudWatch Logs JSON filter pattern to a normalised expression (see
 * `normaliseFilterExpression`). Throws `FilterPatternSyntaxError` on anything it does not support.
 */
export function parseFilterPattern(filterPattern: string): FilterExpression {
  return normaliseFilterExpression(new Parser(filterPattern).parsePattern());
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parsePattern(): FilterExpression {
    this.skipWhitespace();
    this.expect('{');
    const expression = this.parseOr();
    this.skipWhitespace();
    this.expect('}');
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the closing }');
    return expression;
  }

  private parseOr(): FilterExpression {
    const clauses = [this.parseAnd()];
    while (this.consume('||')) clauses.push(this.parseAnd());
    return clauses.length === 1 ? clauses[0]! : { kind: 'or', clauses };
  }

  private parseAnd(): FilterExpression {
    const clauses = [this.parsePrimary()];
    while (this.consume('&&')) clauses.push(this.parsePrimary());
    return clauses.length === 1 ? clauses[0]! : { kind: 'and', clauses };
  }

  private parsePrimary(): FilterExpression {
    if (this.consume('(')) {
      const inner = this.parseOr();
      this.skipWhitespace();
      this.expect(')');
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): FilterExpression {
    this.skipWhitespace();
    const path = this.parseSelector();
    this.skipWhitespace();
    const keyword = this.peekWord().toUpperCase();
    if (keyword === 'IS') {
      this.pos += 2;
      this.skipWhitespace();
      const what = this.peekWord().toUpperCase();
      if (what !== 'NULL' && what !== 'TRUE' && what !== 'FALSE') this.fail('expected NULL, TRUE or FALSE');
      this.pos += what.length;
      return { kind: 'test', path, test: `IS ${what}` };
    }
    if (keyword === 'NOT') {
      this.pos += 3;
      this.skipWhitespace();
      if (this.peekWord().toUpperCase() !== 'EXISTS') this.fail('expected EXISTS');
      this.pos += 6;
      return { kind: 'test', path, test: 'NOT EXISTS' };
    }
    const operator = this.parseOperator();
    this.skipWhitespace();
    const value = this.parseValue();
    if (operator !== '=' && operator !== '!=' && value.kind !== 'number') {
      this.fail(`operator ${operator} needs a number`);
    }
    return { kind: 'compare', path, operator, value };
  }

  private parseSelector(): string {
    this.expect('$');
    let path = '';
    for (;;) {
      const char = this.text[this.pos];
      if (char === '.') {
        this.pos++;
        const start = this.pos;
        while (this.pos < this.text.length && PROPERTY_NAME.test(this.text[this.pos]!)) this.pos++;
        if (this.pos === start) this.fail('expected a property name after .');
        path += `${path === '' ? '' : '.'}${this.text.slice(start, this.pos)}`;
      } else if (char === '[') {
        const close = this.text.indexOf(']', this.pos);
        const index = close < 0 ? '' : this.text.slice(this.pos + 1, close).trim();
        if (!/^(?:\d+|\*)$/.test(index)) this.fail('expected an array index or [*]');
        path += `[${index}]`;
        this.pos = close + 1;
      } else {
        break;
      }
    }
    if (path === '') this.fail('expected a selector such as $.field');
    return path;
  }

  private parseOperator(): ComparisonOperator {
    for (const operator of ['!=', '<=', '>=', '=', '<', '>'] as const) {
      if (this.text.startsWith(operator, this.pos)) {
        this.pos += operator.length;
        // `==` or `=>` is not CloudWatch syntax.
        if (operator === '=' && /[=<>]/.test(this.text[this.pos] ?? '')) this.fail('unknown operator');
        return operator;
      }
    }
    return this.fail('expected an operator (=, !=, <, >, <=, >=, IS, NOT EXISTS)');
  }

  private parseValue(): FilterValue {
    const first = this.text[this.pos];
    if (first === '"') {
      let value = '';
      this.pos++;
      for (;;) {
        const char = this.text[this.pos];
        if (char === undefined) this.fail('unterminated string');
        this.pos++;
        if (char === '"') return { kind: 'string', value, quoted: true };
        if (char === '\\') {
          const escaped = this.text[this.pos];
          if (escaped === undefined) this.fail('unterminated string');
          value += escaped;
          this.pos++;
        } else {
          value += char;
        }
      }
    }
    if (first === '%') {
      const close = this.text.indexOf('%', this.pos + 1);
      if (close < 0) this.fail('unterminated %regex%');
      const source = this.text.slice(this.pos + 1, close);
      this.pos = close + 1;
      return { kind: 'regex', source };
    }
    const start = this.pos;
    while (this.pos < this.text.length && !BARE_VALUE_END.test(this.text[this.pos]!)) this.pos++;
    const bare = this.text.slice(start, this.pos);
    if (bare === '') this.fail('expected a value');
    if (/["']/.test(bare)) this.fail('strings are quoted with double quotes only');
    if (NUMBER.test(bare)) return { kind: 'number', value: Number(bare) };
    return { kind: 'string', value: bare, quoted: false };
  }

  private peekWord(): string {
    return /^[A-Za-z]+/.exec(this.text.slice(this.pos))?.[0] ?? '';
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private consume(token: string): boolean {
    this.skipWhitespace();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.text.startsWith(token, this.pos)) this.fail(`expected ${token}`);
    this.pos += token.length;
  }

  private fail(message: string): never {
    throw new FilterPatternSyntaxError(message, this.pos);
  }
}

// ── Normal form ──────────────────────────────────────────────────────────────────────────────

/** Flattens nested `&&`/`||`, drops duplicate clauses and sorts clauses into a canonical order. */
export function normaliseFilterExpression(expression: FilterExpression): FilterExpression {
  if (expression.kind !== 'and' && expression.kind !== 'or') return expression;
  const clauses: FilterExpression[] = [];
  const seen = new Set<string>();
  for (const clause of expression.clauses.map(normaliseFilterExpression)) {
    const flattened = clause.kind === expression.kind ? clause.clauses : [clause];
    for (const item of flattened) {
      const key = formatFilterExpression(item);
      if (seen.has(key)) continue;
      seen.add(key);
      clauses.push(item);
    }
  }
  // Code-unit order, not locale order: the normal form must not depend on the machine.
  const keyed = clauses.map((clause) => [formatFilterExpression(clause), clause] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sorted = keyed.map(([, clause]) => clause);
  return sorted.length === 1 ? sorted[0]! : { kind: expression.kind, clauses: sorted };
}

/** Canonical text of an expression (values always double-quoted, single spaces). */
export function formatFilterExpression(expression: FilterExpression): string {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return `(${expression.clauses.map(formatFilterExpression).join(expression.kind === 'and' ? ' && ' : ' || ')})`;
    case 'test':
      return `$.${expression.path} ${expression.test}`;
    case 'compare': {
      const { value } = expression;
      const text =
        value.kind === 'string'
          ? JSON.stringify(value.value)
          : value.kind === 'number'
            ? String(value.value)
            : `%${value.source}%`;
      return `$.${expression.path} ${expression.operator} ${text}`;
    }
  }
}

// ── Concrete evaluation (one JSON event) ─────────────────────────────────────────────────────

/** `*` matches any run of characters (including none); everything else is literal, case-sensitive. */
export function filterGlobMatch(glob: string, value: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === value;
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail))
    return false;
  let cursor = head.length;
  const end = value.length - tail.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, cursor);
    if (found < 0 || found + middle.length > end) return false;
    cursor = found + middle.length;
  }
  return true;
}

function resolvePath(event: unknown, path: string): unknown {
  let current: unknown = event;
  for (const segment of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (segment.startsWith('[')) {
      const index = Number(segment.slice(1, -1));
      if (!Array.isArray(current) || !Number.isInteger(index)) return undefined;
      current = current[index];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/**
 * Whether one parsed JSON log event matches the expression. Comparisons on a missing property are
 * false (only `NOT EXISTS` matches a missing property); `[*]` selectors are not evaluated (false).
 */
export function evaluateFilterExpression(expression: FilterExpression, event: unknown): boolean {
  switch (expression.kind) {
    case 'and':
      return expression.clauses.every((clause) => evaluateFilterExpression(clause, event));
    case 'or':
      return expression.clauses.some((clause) => evaluateFilterExpression(clause, event));
    case 'test':
    case 'compare':
      if (expression.path.includes('[*]')) return false;
      return atomHolds(expression, resolvePath(event, expression.path));
  }
}

type Atom = Extract<FilterExpression, { kind: 'compare' | 'test' }>;

function atomHolds(atom: Atom, value: unknown): boolean {
  if (atom.kind === 'test') {
    switch (atom.test) {
      case 'NOT EXISTS':
        return value === undefined;
      case 'IS NULL':
        return value === null;
      case 'IS TRUE':
        return value === true;
      case 'IS FALSE':
        return value === false;
    }
  }
  if (value === undefined) return false;
  const expected = atom.value;
  if (expected.kind === 'regex') {
    let regex: RegExp;
    try {
      regex = new RegExp(expected.source);
    } catch {
      return false;
    }
    const matches = typeof value === 'string' && regex.test(value);
    return atom.operator === '=' ? matches : atom.operator === '!=' ? !matches : false;
  }
  if (expected.kind === 'string') {
    const matches = typeof value === 'string' && filterGlobMatch(expected.value, value);
    return atom.operator === '=' ? matches : atom.operator === '!=' ? !matches : false;
  }
  if (typeof value !== 'number') return atom.operator === '!=';
  switch (atom.operator) {
    case '=':
      return value === expected.value;
    case '!=':
      return value !== expected.value;
    case '<':
      return value < expected.value;
    case '>':
      return value > expected.value;
    case '<=':
      return value <= expected.value;
    case '>=':
      return value >= expected.value;
  }
}

// ── Comparison with the CIS filter ───────────────────────────────────────────────────────────

/** What is known of a field in every event the CIS root-usage filter matches. */
type FieldModel =
  /** Always exactly this string. */
  | { kind: 'exact'; value: string }
  /** Never present. */
  | { kind: 'absent' }
  /** Always a string, never one of `excluded`; otherwise unknown. */
  | { kind: 'string-except'; excluded: string[] }
  /** Always a string matching `glob`, whose `*` stand for unknown text. */
  | { kind: 'string-like'; glob: string };

/**
 * Events the CIS filter matches: its three conditions, plus facts true of every CloudTrail record
 * of a root action. Fields not listed may hold anything or be absent.
 */
export const ROOT_USAGE_EVENT_MODEL: Readonly<Record<string, FieldModel>> = {
  'userIdentity.type': { kind: 'exact', value: 'Root' },
  'userIdentity.invokedBy': { kind: 'absent' },
  eventType: { kind: 'string-except', excluded: ['AwsServiceEvent'] },
  'userIdentity.arn': { kind: 'string-like', glob: 'arn:*:iam::*:root' },
  'userIdentity.accountId': { kind: 'string-except', excluded: [] },
  'userIdentity.principalId': { kind: 'string-except', excluded: [] },
  eventVersion: { kind: 'string-except', excluded: [] },
  eventTime: { kind: 'string-except', excluded: [] },
  eventSource: { kind: 'string-except', excluded: [] },
  eventName: { kind: 'string-except', excluded: [] },
  awsRegion: { kind: 'string-except', excluded: [] },
  eventID: { kind: 'string-except', excluded: [] },
};

type EventModel = Readonly<Record<string, FieldModel>>;

function modelFor(path: string, model: EventModel): FieldModel | null {
  const direct = model[path];
  if (direct) return direct;
  // Below a modelled field (a string, or absent) there is nothing.
  for (const field of Object.keys(model)) {
    if (path.startsWith(`${field}.`) || path.startsWith(`${field}[`)) return { kind: 'absent' };
  }
  return null;
}

/**
 * Whether every string matching `inner` matches `outer` (both `*`-globs). Sound: `inner`'s `*`
 * may only be covered by `*` in `outer`.
 */
export function globSubsumes(outer: string, inner: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === outer.length) result = j === inner.length;
    else if (outer[i] === '*') result = go(i + 1, j) || (j < inner.length && go(i, j + 1));
    else result = j < inner.length && inner[j] !== '*' && inner[j] === outer[i] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

function atomImplied(atom: Atom, eventModel: EventModel): boolean {
  if (atom.path.includes('[*]')) return false;
  const model = modelFor(atom.path, eventModel);
  if (!model) return false;
  switch (model.kind) {
    case 'absent':
      return atom.kind === 'test' && atom.test === 'NOT EXISTS';
    case 'exact':
      // A regex is never trusted to match: CloudWatch's dialect is not JavaScript's.
      return !(atom.kind === 'compare' && atom.value.kind === 'regex') && atomHolds(atom, model.value);
    case 'string-except':
    case 'string-like': {
      if (atom.kind !== 'compare' || atom.value.kind !== 'string') return false;
      const glob = atom.value.value;
      if (atom.operator === '=') return globSubsumes(glob, model.kind === 'string-like' ? model.glob : '*');
      if (atom.operator === '!=' && model.kind === 'string-except') {
        return !glob.includes('*') && model.excluded.includes(glob);
      }
      return false;
    }
  }
}

function impliedBy(expression: FilterExpression, model: EventModel): boolean {
  switch (expression.kind) {
    case 'and':
      return expression.clauses.every((clause) => impliedBy(clause, model));
    case 'or':
      return expression.clauses.some((clause) => impliedBy(clause, model));
    default:
      return atomImplied(expression, model);
  }
}

/** Exact strings the expression compares a `string-except` field with, that the field may hold. */
function splitCandidates(
  expression: FilterExpression,
  model: EventModel,
  into: Map<string, Set<string>>,
): void {
  if (expression.kind === 'and' || expression.kind === 'or') {
    for (const clause of expression.clauses) splitCandidates(clause, model, into);
    return;
  }
  if (expression.kind !== 'compare' || expression.value.kind !== 'string') return;
  const field = model[expression.path];
  const literal = expression.value.value;
  if (field?.kind !== 'string-except' || literal.includes('*') || field.excluded.includes(literal)) return;
  const literals = into.get(expression.path) ?? new Set<string>();
  literals.add(literal);
  into.set(expression.path, literals);
}

/** Bound on the models a case split may examine; past it the answer is "not shown" (false). */
const MAX_CASES = 4096;

/**
 * Whether the expression holds for every event the model allows. When the plain evaluation cannot
 * show it, splits one `string-except` field into the exact strings the expression names plus "any
 * other string" and requires every case to hold: this covers root usage spread over `||` branches
 * on the same field (`$.eventName = "X" || $.eventName != "X"`). The cases partition the field's
 * values, so the split stays sound.
 */
function coversRootUsage(
  expression: FilterExpression,
  model: EventModel,
  budget: { cases: number },
): boolean {
  if (--budget.cases < 0) return false;
  if (impliedBy(expression, model)) return true;
  const candidates = new Map<string, Set<string>>();
  splitCandidates(expression, model, candidates);
  const [path, literals] = [...candidates.entries()].sort(([a], [b]) => (a < b ? -1 : 1))[0] ?? [];
  const field = path === undefined ? undefined : model[path];
  if (path === undefined || literals === undefined || field?.kind !== 'string-except') return false;
  const cases: FieldModel[] = [
    ...[...literals].map((value): FieldModel => ({ kind: 'exact', value })),
    { kind: 'string-except', excluded: [...field.excluded, ...literals] },
  ];
  return cases.every((fieldCase) => coversRootUsage(expression, { ...model, [path]: fieldCase }, budget));
}

export type RootUsageFilterJudgement =
  /** Matches every form of root activity and no ordinary activity. */
  | 'root-usage'
  /** Not a JSON filter pattern this module reads. */
  | 'unparseable'
  /** Misses some form of root activity (or covers it only in ways the model cannot show). */
  | 'misses-root-usage'
  /** Matches ordinary IAM-user or assumed-role calls too: an alarm on it fires on everything. */
  | 'matches-ordinary-activity';

/**
 * Judges a filter against root usage: it must cover every event the CIS filter matches (the model
 * above), match every record of the root-event family (root-event-family.ts, shared with the
 * EventBridge judge), and match none of the ordinary IAM-user or assumed-role records. A filter
 * wider than CIS that still keys on root passes; `{ $.eventName = * }` or the CIS clauses joined
 * with `||` match everyone's calls, and an alarm that fires on everything alerts on nothing.
 */
export function judgeRootUsageFilter(filterPattern: string): RootUsageFilterJudgement {
  let expression: FilterExpression;
  try {
    expression = parseFilterPattern(filterPattern);
  } catch {
    return 'unparseable';
  }
  const root = rootActivityFamily();
  const rootRecords = [...root.signIns, ...root.writeCalls, ...root.readCalls];
  if (
    !coversRootUsage(expression, ROOT_USAGE_EVENT_MODEL, { cases: MAX_CASES }) ||
    !rootRecords.every((record) => evaluateFilterExpression(expression, record))
  )
    return 'misses-root-usage';
  const ordinary = ordinaryActivity();
  const ordinaryRecords = [...ordinary.signIns, ...ordinary.writeCalls, ...ordinary.readCalls];
  if (ordinaryRecords.some((record) => evaluateFilterExpression(expression, record)))
    return 'matches-ordinary-activity';
  return 'root-usage';
}

/** True when the filter counts as a root-usage filter (see `judgeRootUsageFilter`). */
export function matchesRootUsagePattern(filterPattern: string): boolean {
  return judgeRootUsageFilter(filterPattern) === 'root-usage';
}
