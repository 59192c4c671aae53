/**
 * Just enough CloudFormation to check our templates: YAML with the short-form intrinsic tags
 * (`!Ref`, `!Sub`, `!If`…), the names each template refers to, an evaluator of the intrinsics for
 * given parameter values, and the IAM actions a template's policies grant.
 */
import { readFile } from 'node:fs/promises';
import { parse, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Template {
  AWSTemplateFormatVersion?: Json;
  Description?: Json;
  Parameters?: Record<string, JsonObject>;
  Conditions?: Record<string, Json>;
  Resources?: Record<string, JsonObject>;
  Outputs?: Record<string, JsonObject>;
}

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'GetAtt',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'And',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
];

/** `!Ref X` → `{Ref: X}`, `!GetAtt A.B` → `{'Fn::GetAtt': [A, B]}`, `!Sub [..]` → `{'Fn::Sub': [..]}`. */
function shortForm(name: string, value: Json): Json {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

export const cloudFormationTags: Tags = ['Ref', 'Condition', ...FUNCTIONS].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => shortForm(name, value) },
  {
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => shortForm(name, seq.toJSON() as Json),
  },
  {
    tag: `!${name}`,
    collection: 'map' as const,
    resolve: (map: YAMLSeq.Parsed | YAMLMap.Parsed) => shortForm(name, map.toJSON() as Json),
  },
]) as Tags;

export function parseTemplate(text: string): Template {
  const parsed: unknown = parse(text, { customTags: cloudFormationTags, prettyErrors: true });
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('a template is a YAML mapping');
  }
  return parsed as Template;
}

export async function loadTemplate(path: string): Promise<Template> {
  return parseTemplate(await readFile(path, 'utf8'));
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `${Name}` and `${Resource.Attribute}` in a Fn::Sub string (`${!Literal}` is not a variable). */
function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{(?!!)([^}]+)\}/g)].map((match) => match[1] ?? '');
}

/**
 * Every name the template refers to that is not defined in it: Refs and Sub variables that name no
 * parameter, resource or pseudo parameter, GetAtt of unknown resources, unknown conditions.
 */
export function undefinedReferences(template: Template): string[] {
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resources = new Set(Object.keys(template.Resources ?? {}));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const problems: string[] = [];
  const refName = (name: string, where: string) => {
    if (!parameters.has(name) && !resources.has(name) && !PSEUDO_PARAMETERS.has(name))
      problems.push(`${where}: ${name} is not a parameter, resource or pseudo parameter`);
  };
  const visit = (node: Json | undefined, where: string, local: Set<string> = new Set()): void => {
    if (Array.isArray(node)) {
      node.forEach((item) => {
        visit(item, where, local);
      });
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') refName(value, where);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(value) ? value[0] : null;
        if (typeof target !== 'string' || !resources.has(target))
          problems.push(`${where}: GetAtt of ${JSON.stringify(target)}, which is not a resource`);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(value) ? [value[0], value[1]] : [value, undefined];
        const own = new Set(isObject(variables) ? Object.keys(variables) : []);
        if (typeof text === 'string') {
          for (const variable of subVariables(text)) {
            const [name = '', attribute] = variable.split('.');
            if (own.has(variable) || local.has(variable)) continue;
            if (attribute !== undefined && !PSEUDO_PARAMETERS.has(variable)) {
              if (!resources.has(name))
                problems.push(`${where}: \${${variable}} names ${name}, which is not a resource`);
            } else refName(variable, where);
          }
        }
        if (isObject(variables)) visit(variables, where, local);
        continue;
      } else if (key === 'Fn::If') {
        const name = Array.isArray(value) ? value[0] : null;
        if (typeof name !== 'string' || !conditions.has(name))
          problems.push(`${where}: Fn::If on ${JSON.stringify(name)}, which is not a condition`);
      } else if (key === 'Condition' && typeof value === 'string' && !conditions.has(value)) {
        problems.push(`${where}: condition ${value} is not defined`);
      }
      visit(value, where, local);
    }
  };
  for (const section of ['Conditions', 'Resources', 'Outputs'] as const) {
    for (const [name, value] of Object.entries(template[section] ?? {})) visit(value, `${section}.${name}`);
  }
  return problems;
}

export interface EvaluationContext {
  parameters?: Record<string, string>;
  partition?: string;
  accountId?: string;
  region?: string;
}

const NO_VALUE = Symbol('AWS::NoValue');
type Evaluated = Json | typeof NO_VALUE;

/**
 * The template's Resources and Outputs with every intrinsic resolved for these parameter values
 * (parameters left out take their Default). Attributes of resources (`!GetAtt`, `!Ref` of a
 * resource) become `<Resource.Attribute>` placeholders. Throws on intrinsics it does not know.
 */
export function evaluateTemplate(template: Template, context: EvaluationContext = {}): Template {
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const given = context.parameters?.[name];
    const fallback = parameter.Default;
    if (given !== undefined) values[name] = given;
    else if (typeof fallback === 'string') values[name] = fallback;
    else throw new Error(`parameter ${name} has no value and no Default`);
  }
  const pseudo: Record<string, string> = {
    'AWS::Partition': context.partition ?? 'aws',
    'AWS::AccountId': context.accountId ?? '123456789012',
    'AWS::Region': context.region ?? 'us-east-1',
    'AWS::StackName': 'stack',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const resources = new Set(Object.keys(template.Resources ?? {}));
  const ref = (name: string): Evaluated => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const value = values[name] ?? pseudo[name];
    if (value !== undefined) return value;
    if (resources.has(name)) return `<${name}>`;
    throw new Error(`Ref ${name}: unknown name`);
  };
  const condition = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new Error(`condition ${name} is not defined`);
    const result = evaluate(definition);
    if (typeof result !== 'boolean') throw new Error(`condition ${name} is not a boolean`);
    return result;
  };
  const evaluate = (node: Json): Evaluated => {
    if (Array.isArray(node)) return node.map(evaluate).filter((item): item is Json => item !== NO_VALUE);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    const [key] = keys;
    if (
      keys.length === 1 &&
      key !== undefined &&
      (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
    ) {
      const argument = node[key] as Json;
      const list = Array.isArray(argument) ? argument : [argument];
      switch (key) {
        case 'Ref':
          return ref(String(argument));
        case 'Condition':
          return condition(String(argument));
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = list;
          return evaluate((condition(String(name)) ? whenTrue : whenFalse) ?? null);
        }
        case 'Fn::Not':
          return !evaluate(list[0] ?? null);
        case 'Fn::And':
          return list.every((item) => evaluate(item) === true);
        case 'Fn::Or':
          return list.some((item) => evaluate(item) === true);
        case 'Fn::Equals':
          return JSON.stringify(evaluate(list[0] ?? null)) === JSON.stringify(evaluate(list[1] ?? null));
        case 'Fn::GetAtt':
          return `<${list.join('.')}>`;
        case 'Fn::Join': {
          const [delimiter, items] = list;
          const joined = evaluate(items ?? []);
          return Array.isArray(joined) ? joined.map(String).join(String(delimiter)) : String(joined);
        }
        case 'Fn::Sub': {
          const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
          const own = isObject(variables) ? variables : {};
          return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, variable: string) => {
            if (literal) return `\${${variable}}`;
            if (variable in own) return String(evaluate(own[variable] ?? null));
            if (variable.includes('.') && !(variable in pseudo)) return `<${variable}>`;
            return String(ref(variable));
          });
        }
        default:
          throw new Error(`${key} is not supported by this evaluator`);
      }
    }
    const result: JsonObject = {};
    for (const [name, value] of Object.entries(node)) {
      const evaluated = evaluate(value);
      if (evaluated !== NO_VALUE) result[name] = evaluated;
    }
    return result;
  };
  const section = (entries: Record<string, JsonObject> | undefined) => {
    const result: Record<string, JsonObject> = {};
    for (const [name, value] of Object.entries(entries ?? {})) {
      if (typeof value.Condition === 'string' && !condition(value.Condition)) continue;
      result[name] = evaluate(value) as JsonObject;
    }
    return result;
  };
  return { ...template, Resources: section(template.Resources), Outputs: section(template.Outputs) };
}

export interface PolicyStatement {
  /** `<resource>/<policy name>/<Sid>`, to say where an action is granted. */
  where: string;
  statement: JsonObject;
}

const POLICY_RESOURCE_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);

function statementsOf(document: Json | undefined): JsonObject[] {
  if (!isObject(document)) return [];
  const statements = document.Statement;
  return (Array.isArray(statements) ? statements : [statements]).filter(isObject);
}

/** Every statement of every permission policy in an evaluated template (trust policies excluded). */
export function permissionStatements(template: Template): PolicyStatement[] {
  const found: PolicyStatement[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (typeof resource.Type !== 'string' || !POLICY_RESOURCE_TYPES.has(resource.Type)) continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    const documents: [string, Json | undefined][] = [];
    if (Array.isArray(properties.Policies)) {
      for (const policy of properties.Policies.filter(isObject))
        documents.push([String(policy.PolicyName), policy.PolicyDocument]);
    }
    if (properties.PolicyDocument !== undefined)
      documents.push([
        String(properties.PolicyName ?? properties.ManagedPolicyName ?? logicalId),
        properties.PolicyDocument,
      ]);
    for (const [policyName, document] of documents) {
      statementsOf(document).forEach((statement, index) => {
        found.push({ where: `${logicalId}/${policyName}/${String(statement.Sid ?? index)}`, statement });
      });
    }
  }
  return found;
}

/** The trust-policy statements of each role, by logical id. */
export function trustStatements(template: Template): Record<string, JsonObject[]> {
  const found: Record<string, JsonObject[]> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Role' || !isObject(resource.Properties)) continue;
    found[logicalId] = statementsOf(resource.Properties.AssumeRolePolicyDocument);
  }
  return found;
}

export function actionsOf(statement: JsonObject): string[] {
  const actions = statement.Action;
  return (Array.isArray(actions) ? actions : actions === undefined ? [] : [actions]).map(String);
}

/**
 * What no template of ours should contain: wildcard actions (`iam:Get*`, `*`), NotAction (grants
 * everything else), Allow with NotResource, and managed policies attached by ARN, whose actions this
 * check cannot see.
 */
export function grantProblems(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, statement } of permissionStatements(template)) {
    if (statement.NotAction !== undefined) problems.push(`${where}: NotAction grants every other action`);
    if (statement.Effect === 'Allow' && statement.NotResource !== undefined)
      problems.push(`${where}: Allow with NotResource`);
    for (const action of actionsOf(statement)) {
      if (action.includes('*') || action.includes('?')) problems.push(`${where}: wildcard action ${action}`);
      else if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action))
        problems.push(`${where}: ${action} is not service:Action`);
    }
  }
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    if (properties.ManagedPolicyArns !== undefined)
      problems.push(`${logicalId}: ManagedPolicyArns grants actions this check cannot list`);
  }
  return problems;
}

/** Every action an Allow statement grants, with where (the first statement granting it). */
export function grantedActions(template: Template): Map<string, string> {
  const granted = new Map<string, string>();
  for (const { where, statement } of permissionStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of actionsOf(statement)) if (!granted.has(action)) granted.set(action, where);
  }
  return granted;
}
