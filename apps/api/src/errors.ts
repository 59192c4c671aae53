/**
 * One error shape for every response: `{ statusCode, error, message }`. Validation failures name
 * the parameter and what it accepts; server errors are logged and answered without details.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** An error a route throws to answer with this status and message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const errorBody = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBody>;

export function errorResponse(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

const CONTEXT_NOUN: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'field',
  headers: 'header',
};

/** Keys a zod object schema accepts (for "allowed: …"). */
function allowedKeys(schema: unknown): string[] {
  let current = schema as
    | { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } }
    | undefined;
  // Look through .optional() / .nullish() wrappers to the object.
  while (current && !current.shape && current._zod?.def?.innerType) {
    current = current._zod.def.innerType as typeof current;
  }
  return current?.shape ? Object.keys(current.shape) : [];
}

function describeIssue(issue: ValidationIssue, context: string, request: FastifyRequest): string {
  const noun = CONTEXT_NOUN[context] ?? 'value';
  const name = issue.instancePath.split('/').filter(Boolean)[0];
  if (issue.keyword === 'unrecognized_keys') {
    const keys = (issue.params.keys as string[] | undefined) ?? [];
    const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
    const allowed = allowedKeys(schema);
    const list = keys.map((key) => `"${key}"`).join(', ');
    const plural = keys.length > 1 ? 's' : '';
    return `unknown ${noun}${plural} ${list}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`;
  }
  const subject = name === undefined ? `the ${noun}s` : `${noun} "${name}"`;
  const values = issue.params.values as unknown[] | undefined;
  if (issue.keyword === 'invalid_value' && Array.isArray(values)) {
    return `invalid value for ${subject}: expected one of ${values.join(', ')}`;
  }
  return `invalid value for ${subject}: ${issue.message}`;
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'querystring';
    const issues = error.validation as unknown as ValidationIssue[];
    const message = issues.map((issue) => describeIssue(issue, context, request)).join('; ');
    return reply.code(400).send(errorResponse(400, message));
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
    return reply.code(500).send(errorResponse(500, 'Internal Server Error'));
  }
  const statusCode = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (statusCode >= 500 && !(error instanceof ApiError)) {
    request.log.error({ err: error }, 'request failed');
    return reply.code(statusCode).send(errorResponse(statusCode, 'Internal Server Error'));
  }
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(statusCode).send(errorResponse(statusCode, error.message));
}
