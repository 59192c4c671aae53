/**
 * A Prisma client whose next transaction stops just before COMMIT, as a worker process frozen
 * inside its transaction would (a stalled event loop, a paused container): its locks stay held
 * until `release()`. For tests that prove other writers do not wait on such a transaction.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, prismaPoolConfig } from '../../packages/db/src/index.ts';

export interface FrozenCommit {
  /** The server process of the frozen session (for pg_blocking_pids). */
  pid: number;
  /** Lets the COMMIT go. */
  release(): void;
}

export function freezableClient(url: string): {
  prisma: PrismaClient;
  /** Resolves once the next transaction reaches its COMMIT and is held there. */
  nextCommitFrozen(): Promise<FrozenCommit>;
  close(): Promise<void>;
} {
  const pool = new pg.Pool(prismaPoolConfig(url));
  let armed: ((frozen: FrozenCommit) => void) | null = null;
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const patched = new WeakSet<pg.PoolClient>();
  type Callback = (error: Error | undefined, client?: pg.PoolClient, release?: () => void) => void;
  // pg's own pool.query calls connect with a callback; the adapter's transactions await it.
  (pool as { connect: (callback?: Callback) => unknown }).connect = (callback?: Callback) => {
    const connected = patchedConnect();
    if (!callback) return connected;
    connected.then(
      (client) => callback(undefined, client, (client as { release: () => void }).release),
      (error: Error) => callback(error),
    );
    return undefined;
  };
  const patchedConnect = async () => {
    const client = await connect();
    if (!patched.has(client)) {
      patched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
        const [first] = args;
        const text = typeof first === 'string' ? first : (first as { text?: string }).text;
        if (text === 'COMMIT' && armed) {
          const frozen = armed;
          armed = null;
          const { rows } = (await query('SELECT pg_backend_pid() AS pid')) as { rows: { pid: number }[] };
          await new Promise<void>((release) => frozen({ pid: rows[0]?.pid ?? 0, release }));
        }
        return query(...args);
      };
    }
    return client;
  };
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    nextCommitFrozen: () =>
      new Promise<FrozenCommit>((resolve) => {
        armed = resolve;
      }),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
