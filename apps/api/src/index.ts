export { type ApiOptions, buildApi } from './server.ts';
export { type StartedApi, startApi } from './start.ts';
