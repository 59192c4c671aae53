export {
  evaluateOrganizationChecks,
  type RunningScheduler,
  type SchedulerOptions,
  startScheduler,
} from './scheduler.ts';
