export { buildApi, type ApiOptions } from './server.ts';
export { startApi, type StartedApi } from './start.ts';
