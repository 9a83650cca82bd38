import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { CliError, type Io } from './io.js'

/**
 * Asks one question on stderr and reads one line from stdin. With `secret`, nothing typed is
 * echoed: readline writes its echo to an output stream that discards it.
 */
export function prompt(io: Io, question: string, opts: { secret?: boolean } = {}): Promise<string> {
  const output = opts.secret
    ? new Writable({
        write(_chunk, _encoding, done) {
          done()
        },
      })
    : (io.stderr as unknown as NodeJS.WritableStream)
  io.stderr.write(question)
  const rl = createInterface({ input: io.stdin, output, terminal: io.stdin.isTTY === true })
  return new Promise<string>((resolve, reject) => {
    let answered = false
    rl.on('SIGINT', () => {
      answered = true
      rl.close()
      reject(new CliError('cancelled'))
    })
    rl.on('close', () => {
      if (!answered) resolve('')
    })
    rl.question('', (answer) => {
      answered = true
      rl.close()
      if (opts.secret) io.stderr.write('\n')
      resolve(answer)
    })
  })
}
