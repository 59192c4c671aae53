export { type CallFilter, CallLog, type CallRecord } from './call-log.ts';
export { CREDENTIAL_REPORT_COLUMNS, credentialReportCsv } from './credential-report.ts';
export { DEMO_ACCOUNTS, type DemoOrganizationOptions, demoOrganization } from './demo.ts';
export { loadOrganization, SAMPLE_ORG_PATH } from './fixture.ts';
export {
  CIS_ROOT_USAGE_PATTERN,
  DENY_ROOT_SCP,
  FULL_AWS_ACCESS,
  type GenerateOptions,
  generateOrganization,
  ROOT_EVENT_PATTERN,
} from './generate.ts';
export type { CallMatcher, Knobs, ServerErrorBurst, ThrottleRule } from './knobs.ts';
export * from './model.ts';
export {
  type EventBridgeEnvelope,
  eventBridgeEnvelope,
  ROOT_ACTIVITY_SCENARIOS,
  type RootActivityOptions,
  type RootActivityScenario,
  recordInEventHistory,
  rootActivity,
  type SimulatedRootEvent,
  simulateRootActivity,
} from './root-activity.ts';
export { type Simulator, type SimulatorOptions, startSimulator } from './server.ts';
export { rootHardwareMfaSerial, rootVirtualMfaSerial } from './services/iam.ts';
