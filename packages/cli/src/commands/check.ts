import { writeFile } from 'node:fs/promises'
import type { Purpose } from '@donottrain/lexicon'
import {
  type CheckError,
  Checker,
  createNetwork,
  type Receipt,
  renderVerdict,
  type SubjectCheck,
} from '@donottrain/verifier'
import type { Command } from 'commander'
import { InvalidArgumentError, Option } from 'commander'
import { type CliContext, type CommonOptions, httpUrl, jsonOption, plcOption, serviceOption } from '../context.js'
import { CliError, EXIT, type Io, UsageError } from '../io.js'

interface CheckOptions extends CommonOptions {
  indexer?: string
  purpose: Purpose
  receipt?: string
  failOpen?: boolean
}

/** Purpose names on the command line, as the AIPREF vocabulary spells them. */
const PURPOSE_NAMES: Readonly<Record<string, Purpose>> = {
  'train-ai': 'trainAi',
  'train-genai': 'trainGenai',
  'ai-input': 'aiInput',
  search: 'search',
}
/** Most subjects read from stdin in one run. */
const MAX_SUBJECTS = 100_000

function purposeArg(value: string): Purpose {
  const purpose = PURPOSE_NAMES[value]
  if (purpose === undefined) {
    throw new InvalidArgumentError(`unknown purpose "${value}" (purposes: ${Object.keys(PURPOSE_NAMES).join(', ')})`)
  }
  return purpose
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('check')
    .description('may I use this for the purpose? Check subjects, proving every answer (for crawlers and scripts)')
    .argument(
      '<subject...>',
      'DIDs, handles, at:// URIs, bsky.app or CDN URLs, web URLs; - reads them from stdin, one per line',
    )
    .addOption(
      new Option(
        '--indexer <url>',
        'the indexer to ask (its answers are verified); without it, each PDS is asked',
      ).argParser(httpUrl),
    )
    .addOption(
      new Option('--purpose <purpose>', `what for: ${Object.keys(PURPOSE_NAMES).join(', ')}`)
        .argParser(purposeArg)
        .default('trainAi', 'train-ai'),
    )
    .option('--receipt <file>', 'write a receipt per subject (the proofs, re-verifiable offline) to this JSON file')
    .option('--fail-open', 'when no answer can be proven (indexer and PDS unreachable), allow instead of deny')
  serviceOption(cmd, 'a PDS you trust: fetched even on a local address, and asked to resolve handles')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
Every answer is proven: the indexer's declarations are checked against their signed repository
commits, and when the indexer is down or its answer does not check out, the account's own PDS is
asked. When nothing can be proven, the subject counts as denied (or allowed with --fail-open).

Exit code 0 when every subject may be used for the purpose, 3 when any may not, 1 on an error
(a subject that is not one, or names no account).

Examples:
  $ donottrain check alice.bsky.social --indexer https://indexer.example
  $ donottrain check https://bsky.app/profile/alice.bsky.social/post/3l2s5xxv2ze2c --purpose ai-input --json
  $ cut -f1 urls.tsv | donottrain check - --indexer https://indexer.example --receipt receipts.json`,
  )
  cmd.action(async (args: string[], opts: CheckOptions) => {
    const out = ctx.output(opts)
    const subjects = await readSubjects(args, ctx.io)
    const plcUrl = ctx.plcUrl(opts)
    const service = ctx.service(opts)
    const trusted = [service, opts.indexer].filter((url): url is string => url !== undefined)
    const network = createNetwork({
      ...(plcUrl ? { plcUrl } : {}),
      ...(service ? { handleService: service } : {}),
      trustedOrigins: trusted,
    })
    const checker = new Checker({
      ...(opts.indexer ? { indexerUrl: opts.indexer } : {}),
      resolver: network.dids,
      resolveHandle: network.resolveHandle,
      pdsFetch: network.fetch,
      failMode: opts.failOpen ? 'open' : 'closed',
      cacheTtlMs: 0,
    })
    try {
      const results = await checker.check(subjects, { purpose: opts.purpose, receipts: opts.receipt !== undefined })
      if (opts.receipt !== undefined) await writeReceipts(opts.receipt, results)
      const errors = results.filter((r) => !r.ok).length
      const denied = results.filter((r) => r.ok && !r.value.allowed).length
      ctx.exitCode = errors > 0 ? EXIT.failure : denied > 0 ? EXIT.denied : EXIT.ok
      for (const r of results) if (r.ok) for (const note of r.value.notes) out.note(`note: ${r.value.input}: ${note}`)
      out.result(
        results.map((r, i) => humanLine(subjects[i] as string, r)),
        {
          purpose: opts.purpose,
          allowed: errors === 0 && denied === 0,
          counts: { subjects: results.length, denied, errors },
          results: results.map((r, i) => jsonResult(subjects[i] as string, r)),
          ...(opts.receipt !== undefined ? { receipts: opts.receipt } : {}),
        },
      )
    } finally {
      await checker.close()
      await network.close()
    }
  })
}

async function readSubjects(args: string[], io: Io): Promise<string[]> {
  const subjects: string[] = []
  for (const arg of args) {
    if (arg !== '-') {
      subjects.push(arg)
      continue
    }
    let text = ''
    for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8')
    for (const line of text.split(/\r?\n/)) if (line.trim() !== '') subjects.push(line.trim())
  }
  if (subjects.length === 0) throw new UsageError('no subjects (stdin was empty)')
  if (subjects.length > MAX_SUBJECTS)
    throw new UsageError(`too many subjects count=${subjects.length} max=${MAX_SUBJECTS}`)
  return subjects
}

async function writeReceipts(file: string, results: Awaited<ReturnType<Checker['check']>>): Promise<void> {
  const receipts: Receipt[] = results.flatMap((r) => (r.ok && r.value.receipt ? [r.value.receipt] : []))
  try {
    await writeFile(file, `${JSON.stringify(receipts, null, 2)}\n`)
  } catch (cause) {
    throw new CliError(`cannot write the receipts file=${file} reason=${(cause as NodeJS.ErrnoException).code}`)
  }
}

function humanLine(input: string, r: { ok: true; value: SubjectCheck } | { ok: false; error: CheckError }): string {
  if (!r.ok) return `error    ${input}  (${r.error.code}: ${r.error.message})`
  const { allowed, verdict, basis } = r.value
  const word = allowed ? 'allowed' : 'denied '
  const how =
    basis === 'fail-closed' || basis === 'fail-open' ? `${basis}: nothing could be proven` : `proven by ${basis}`
  return `${word}  ${input}  (${verdict}, ${how})`
}

function jsonResult(input: string, r: { ok: true; value: SubjectCheck } | { ok: false; error: CheckError }) {
  if (!r.ok) return { input, ok: false, error: { code: r.error.code, message: r.error.message } }
  const { receipt: _receipt, verdicts, ...rest } = r.value
  return { ...rest, ok: true, verdicts, renderings: renderVerdict(verdicts) }
}
