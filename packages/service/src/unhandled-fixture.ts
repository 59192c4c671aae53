/**
 * A process for lifecycle.test.ts: runUntilSignal with one service, then, once started, a promise
 * rejection nobody handles, a line showing the process went on, and an uncaught exception.
 */
import { createLogger } from '@rootaudit/log';
import { runUntilSignal } from './lifecycle.ts';

const logger = createLogger({ level: 'info', name: 'fixture' });
await runUntilSignal(logger, async (started) => {
  started.push({ name: 'fixture-service', close: async () => logger.info('fixture service closed') });
});
void Promise.reject(new Error('connection terminated unexpectedly'));
setTimeout(() => {
  logger.info('still running after the rejection');
  setTimeout(() => {
    throw new Error('state corrupted');
  }, 50);
}, 200);
// Keeps the process up until the exception stops it.
setInterval(() => undefined, 1000);
