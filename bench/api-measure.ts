/**
 * Latency measurement for the API benchmark: closed-loop load over HTTP keep-alive with autocannon,
 * and the same workload as SQL statements over pg connections. Both record every request's latency
 * in milliseconds with sub-millisecond precision (autocannon's own histogram keeps whole
 * milliseconds, so its per-response event is used instead).
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { percentile, round, sum } from './support.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

export interface Latencies {
  samples: number[];
  /** Requests that did not answer 2xx (API) or failed (SQL). */
  errors: number;
}

export interface Summary {
  count: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(latencies: Latencies): Summary {
  const sorted = [...latencies.samples].sort((a, b) => a - b);
  const total = sum(sorted);
  return {
    count: sorted.length,
    errors: latencies.errors,
    p50: round(percentile(sorted, 50), 3),
    p90: round(percentile(sorted, 90), 3),
    p99: round(percentile(sorted, 99), 3),
    max: round(sorted.at(-1) ?? Number.NaN, 3),
    mean: round(sorted.length > 0 ? total / sorted.length : Number.NaN, 3),
  };
}

export function merge(parts: Latencies[]): Latencies {
  return {
    samples: parts.flatMap((part) => part.samples),
    errors: sum(parts.map((part) => part.errors)),
  };
}

/** Round-robin over a list, shared by every connection of a phase. */
function cycle<T>(items: readonly T[]): () => T {
  let next = 0;
  return () => {
    const item = items[next % items.length] as T;
    next++;
    return item;
  };
}

/** GETs `paths` round-robin on `connections` keep-alive connections for `seconds`. */
export function runHttpPhase(options: {
  url: string;
  paths: readonly string[];
  authorization: string;
  connections: number;
  seconds: number;
}): Promise<Latencies> {
  const nextPath = cycle(options.paths);
  const samples: number[] = [];
  let errors = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: { authorization: options.authorization },
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
      },
      (error: unknown) => (error ? reject(error) : resolve({ samples, errors })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
      else errors++;
    });
    instance.on('reqError', () => {
      errors++;
    });
  });
}

/**
 * Runs the statements of each request (one list per request, executed one after the other on one
 * connection, as the route does) round-robin on `connections` pg connections for `seconds`.
 * Statements go unnamed with array rows, as @prisma/adapter-pg sends them.
 */
export async function runSqlPhase(options: {
  clients: readonly pg.Client[];
  requests: readonly Statement[][];
  seconds: number;
}): Promise<Latencies> {
  const nextRequest = cycle(options.requests);
  const samples: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  await Promise.all(
    options.clients.map(async (client) => {
      while (performance.now() < deadline) {
        const statements = nextRequest();
        const started = performance.now();
        try {
          for (const statement of statements) {
            await client.query({ text: statement.text, values: statement.values, rowMode: 'array' });
          }
          samples.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { samples, errors };
}

export async function connectClients(url: string, count: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  for (let i = 0; i < count; i++) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
  }
  return clients;
}
