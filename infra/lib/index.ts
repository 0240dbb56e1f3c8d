/**
 * `cognito-bff/cdk`: the `CognitoBff` construct and the types of its props. Only this entry loads `aws-cdk-lib` and
 * `constructs` (optional peer dependencies of the package).
 */
export {
  type AddApiOptions,
  CognitoBff,
  type CognitoBffProps,
  type CustomDomain,
  DEFAULT_AUTHORIZATION_SCOPES,
  DEFAULT_METRICS_NAMESPACE,
  RESERVED_PATHS,
  type SessionStoreKind,
} from './cognito-bff.js';
export type { LogLevel, MfaMode, SesEmailConfig, ThreatProtectionMode, ThrottlingConfig } from './config.js';
export { type ApiTarget, type BffFrontDoor, type FrontDoorKind } from './front-door.js';
export { BFF_METRICS, BffMonitoring, type BffMetricName } from './monitoring.js';
export { GLOBAL_SIGN_OUT_ACTION, SESSION_TABLE_ACTIONS, SESSION_TABLE_SCHEMA } from './session-table.js';
export type { TokenValidity } from '../../src/client-settings.js';
