import { readFile } from 'node:fs/promises'
import { parseSubject } from '@donottrain/lexicon'
import {
  createNetwork,
  findAtprotoMethod,
  formatDidKey,
  getAtprotoKey,
  type KeyProof,
  PdsClient,
  pdsEndpoint,
  recordInCar,
  resolveAccount,
  type VerifierNetwork,
  verifyKeyProof,
} from '@donottrain/verifier'
import type { Command } from 'commander'
import { type CliContext, type CommonOptions, jsonOption, plcOption, serviceOption } from '../context.js'
import { CliError, EXIT, UsageError } from '../io.js'

interface VerifyOptions extends CommonOptions {
  absence?: boolean
  uri?: string
}

type Target = { did: string; collection: string; rkey: string }

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('verify')
    .description(
      "verify a record proof against the account's DID document: that a declaration exists, or that it does not",
    )
    .argument('<proof>', "an at:// URI (the proof is fetched from the account's PDS) or a proof .car file")
    .option('--absence', 'prove that the record does NOT exist (e.g. a revoked declaration)')
    .option('--uri <at-uri>', 'with a .car file: the record it is about (needed for an absence proof)')
  serviceOption(cmd, 'a PDS you trust: fetched even on a local address, and asked to resolve handles')
  plcOption(cmd)
  jsonOption(cmd)
  cmd.addHelpText(
    'after',
    `
The proof is a CAR: the repository commit signed by the account's key, the MST nodes down to the
record, and the record (com.atproto.sync.getRecord, or ai.donottrain.getProof of an indexer).
Exit code 0 when it proves what was asked, 3 when it proves the opposite (the record is absent,
or with --absence present), 1 when it proves nothing (bad signature, broken CAR, unreachable).

Examples:
  $ donottrain verify at://alice.bsky.social/ai.donottrain.declaration/self
  $ donottrain verify at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/ai.donottrain.declaration/3l2s5xxv2ze2c --absence
  $ donottrain verify proof.car --json`,
  )
  cmd.action(async (proofArg: string, opts: VerifyOptions) => {
    const out = ctx.output(opts)
    const plcUrl = ctx.plcUrl(opts)
    const service = ctx.service(opts)
    const network = createNetwork({
      ...(plcUrl ? { plcUrl } : {}),
      ...(service ? { handleService: service, trustedOrigins: [service] } : {}),
    })
    try {
      const fromPds = /^(at|https?):\/\//i.test(proofArg)
      if (fromPds && opts.uri !== undefined) throw new UsageError('--uri goes with a .car file, not with an at:// URI')
      const { car, target, source } = fromPds
        ? await fetchProof(network, proofArg)
        : await readProof(network, proofArg, opts)
      const verified = await verifyKeyProof(car, { ...target, resolver: network.dids })
      if (!verified.ok) {
        throw new CliError(`the proof does not verify: ${verified.error.message}`, EXIT.failure, verified.error.code)
      }
      const report = await proofReport(network, verified.value, opts.absence === true, source)
      ctx.exitCode = report.holds ? EXIT.ok : EXIT.denied
      out.result(humanReport(report), report)
    } finally {
      await network.close()
    }
  })
}

async function fetchProof(network: VerifierNetwork, input: string) {
  const target = await resolveTarget(network, input)
  const pds = pdsEndpoint(target.document)
  if (!pds.ok) throw new CliError(pds.error.message, EXIT.failure, pds.error.code)
  const car = await new PdsClient(pds.value, network.fetch).getRecordProof(target)
  if (!car.ok) throw new CliError(car.error.message, EXIT.failure, car.error.code)
  return { car: car.value, target, source: { pds: pds.value } }
}

async function readProof(network: VerifierNetwork, file: string, opts: VerifyOptions) {
  let car: Uint8Array
  try {
    car = new Uint8Array(await readFile(file))
  } catch (cause) {
    throw new CliError(`cannot read the proof file file=${file} reason=${(cause as NodeJS.ErrnoException).code}`)
  }
  let target: Target
  if (opts.uri !== undefined) {
    target = await resolveTarget(network, opts.uri)
  } else {
    if (opts.absence) throw new UsageError('an absence proof names no record: say which with --uri <at-uri>')
    const found = recordInCar(car)
    if (!found.ok) throw new CliError(found.error.message, EXIT.failure, found.error.code)
    target = found.value
  }
  return { car, target, source: { file } }
}

async function resolveTarget(network: VerifierNetwork, input: string) {
  const parsed = parseSubject(input)
  if (!parsed.ok || parsed.value.kind !== 'record') {
    throw new UsageError(`not the at:// URI of a record: ${input}`)
  }
  const { actor, collection, rkey } = parsed.value
  const account = await resolveAccount(actor, network)
  if (!account.ok) throw new CliError(account.error.message, EXIT.failure, account.error.code)
  return { did: account.value.did, collection, rkey, document: account.value.document }
}

async function proofReport(network: VerifierNetwork, proven: KeyProof, absence: boolean, source: object) {
  const { did, collection, rkey, uri, commit, signingKey } = proven.proof
  // The document the key came from (after a refresh, if the key had rotated).
  const doc = await network.dids.resolve(did)
  const method = doc.ok ? findAtprotoMethod(doc.value) : undefined
  const docKey = doc.ok ? getAtprotoKey(doc.value) : undefined
  const didKey = formatDidKey(signingKey)
  const inDocument = docKey?.ok === true && formatDidKey(docKey.value) === didKey && method !== undefined
  return {
    uri,
    did,
    collection,
    rkey,
    asked: absence ? 'absence' : 'presence',
    proven: proven.present ? 'present' : 'absent',
    holds: proven.present !== absence,
    ...(proven.present ? { cid: proven.proof.recordCid, record: proven.proof.record } : {}),
    commit: { cid: commit.cid, rev: commit.rev, time: commit.time, data: commit.data },
    key: {
      didKey,
      type: signingKey.type,
      ...(inDocument ? { id: method.id.startsWith('#') ? `${did}${method.id}` : method.id } : {}),
    },
    source,
  }
}

function humanReport(r: Awaited<ReturnType<typeof proofReport>>): string[] {
  const claim = r.proven === 'present' ? `${r.uri} exists` : `${r.uri} does not exist`
  const lines = [r.holds ? `proven: ${claim}` : `disproven: you asked for ${r.asked}, but the proof shows ${claim}`]
  if (r.record !== undefined) lines.push(`  record  ${JSON.stringify(r.record)}`, `  cid     ${r.cid}`)
  lines.push(`  commit  ${r.commit.cid} rev ${r.commit.rev}${r.commit.time ? ` (${r.commit.time})` : ''}`)
  lines.push(`  signed  by ${r.key.didKey}${r.key.id ? `, key ${r.key.id} of the DID document` : ''}`)
  return lines
}
