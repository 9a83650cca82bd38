/** Everything the CLI touches outside itself, so one run is one function call. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: { write(chunk: string): unknown }
  stderr: { write(chunk: string): unknown }
  env: Readonly<Record<string, string | undefined>>
}

/**
 * Exit codes: 0 ok, 1 the operation failed, 2 the command line was wrong, 3 the answer is no
 * (`check`: a subject may not be used; `verify`: the proof shows the opposite of what was asked).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, denied: 3 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** An error the CLI itself raises, with the exit code it means. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly code = exitCode === EXIT.usage ? 'Usage' : 'Failure',
  ) {
    super(message)
  }
}

export class UsageError extends CliError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, EXIT.usage, 'Usage')
  }
}
