#!/usr/bin/env node
import { run } from './run.js'

// Signals: the default handlers end the process; nothing here holds state that needs flushing
// (the session file is written atomically).
process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})
