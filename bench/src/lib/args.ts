import { parseArgs } from 'node:util'

type Option = { default: number; quick: number; help: string } | { default: string; quick: string; help: string }
export type Spec = Record<string, Option>
type Values<S extends Spec> = { [K in keyof S]: S[K]['default'] extends number ? number : string } & { quick: boolean }

/**
 * Reads `--name value` options (and `--quick`, `--help`) from argv. `--quick` swaps every
 * default for its quick value; explicit options still win. Returns undefined after printing --help.
 */
export function readArgs<S extends Spec>(spec: S, usage: string, argv = process.argv.slice(2)): Values<S> | undefined {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    quick: { type: 'boolean' },
    help: { type: 'boolean' },
  }
  for (const name of Object.keys(spec)) options[name] = { type: 'string' }
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (values.help) {
    const lines = Object.entries(spec).map(
      ([name, s]) => `  --${name.padEnd(10)} ${s.help} (default ${s.default}, --quick ${s.quick})`,
    )
    process.stdout.write(`${usage}\n\n  --quick      small, fast run\n${lines.join('\n')}\n`)
    return undefined
  }
  const quick = values.quick === true
  const out: Record<string, number | string | boolean> = { quick }
  for (const [name, s] of Object.entries(spec)) {
    const raw = values[name]
    if (typeof raw !== 'string') {
      out[name] = quick ? s.quick : s.default
    } else if (typeof s.default === 'string') {
      out[name] = raw
    } else {
      const n = Number(raw)
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0 value=${raw}`)
      out[name] = n
    }
  }
  return out as Values<S>
}
