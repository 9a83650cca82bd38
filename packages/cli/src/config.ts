import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Io } from './io.js'

/**
 * The CLI's environment variables (the only place the CLI reads the environment for settings):
 *
 * | variable                  | meaning                                                        |
 * | ------------------------- | -------------------------------------------------------------- |
 * | DONOTTRAIN_IDENTIFIER     | handle or DID for `login`                                      |
 * | DONOTTRAIN_APP_PASSWORD   | app password for `login` (skips the prompt)                    |
 * | DONOTTRAIN_SERVICE        | PDS URL: sign in there, resolve handles through it (--service) |
 * | DONOTTRAIN_PLC_URL        | PLC directory URL (--plc), default https://plc.directory       |
 * | DONOTTRAIN_CONFIG_DIR     | where session.json lives (default $XDG_CONFIG_HOME/donottrain) |
 * | XDG_CONFIG_HOME           | default ~/.config                                              |
 */
export interface CliConfig {
  identifier: string | undefined
  password: string | undefined
  service: string | undefined
  plcUrl: string | undefined
  configDir: string
}

export function readConfig(env: Io['env']): CliConfig {
  const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v)
  const xdg = nonEmpty(env.XDG_CONFIG_HOME) ?? join(homedir(), '.config')
  return {
    identifier: nonEmpty(env.DONOTTRAIN_IDENTIFIER),
    password: nonEmpty(env.DONOTTRAIN_APP_PASSWORD),
    service: nonEmpty(env.DONOTTRAIN_SERVICE),
    plcUrl: nonEmpty(env.DONOTTRAIN_PLC_URL),
    configDir: nonEmpty(env.DONOTTRAIN_CONFIG_DIR) ?? join(xdg, 'donottrain'),
  }
}
