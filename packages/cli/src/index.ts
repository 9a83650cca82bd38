export { type CliConfig, readConfig } from './config.js'
export { CliError, EXIT, type ExitCode, type Io, UsageError } from './io.js'
export { buildProgram } from './program.js'
export { run } from './run.js'
