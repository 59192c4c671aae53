export { type RunningScheduler, type SchedulerOptions, startScheduler } from './scheduler.ts';
