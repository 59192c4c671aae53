export { selectChecks } from './checks.ts';
export { accountError, startWorker, type WorkerOptions } from './worker.ts';
