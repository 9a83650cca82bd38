export { LogClient, MAX_MONITOR_RESPONSE_BYTES, type XrpcAnswer } from './client.js'
export { MonitorError, type MonitorErrorCode, MonitorViolation, type ViolationCode } from './errors.js'
export { type MonitorOptions, type MonitorReport, runMonitor } from './monitor.js'
export { MAX_MONITOR_STATE_BYTES, type MonitorState, parseMonitorState } from './state.js'
