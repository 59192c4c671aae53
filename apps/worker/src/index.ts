export { accountError, startWorker, type WorkerOptions } from './worker.ts';
