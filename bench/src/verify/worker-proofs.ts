import { readFileSync } from 'node:fs'
import { ours, reference } from './proof-fns.js'
import { type ProofCaseJson, proofFromJson } from './proofs.js'
import { type Timed, timeAll, warmUp } from './timing.js'

export interface ProofTask {
  /** JSON file of ProofCaseJson[] to time. */
  file: string
  /** JSON file of other proofs (other keys) to warm the JIT with first, for the same time on both sides. */
  warmFile: string
  referenceFirst: boolean
}

export interface ProofRun {
  /** verifyRecordProof, every key seen for the first time in this process. */
  ours: Timed
  ref: Timed
  /** verifyRecordProof again over the same proofs: keys already seen (P-256 key objects cached). */
  oursWarm: Timed
}

/** One timed run in a fresh process: no key of the timed set is cached anywhere when it starts. */
async function main() {
  const task = JSON.parse(process.argv[2] ?? '{}') as ProofTask
  const load = async (file: string) =>
    Promise.all((JSON.parse(readFileSync(file, 'utf8')) as ProofCaseJson[]).map(proofFromJson))
  const cases = await load(task.file)
  const warm = await load(task.warmFile)
  const keyOf = (p: { keyType: string }) => p.keyType
  await warmUp(warm, ours)
  await warmUp(warm, reference)
  let first: Timed
  let second: Timed
  if (task.referenceFirst) {
    first = await timeAll(cases, keyOf, reference, 'verifyProofs')
    second = await timeAll(cases, keyOf, ours, 'verifyRecordProof')
  } else {
    first = await timeAll(cases, keyOf, ours, 'verifyRecordProof')
    second = await timeAll(cases, keyOf, reference, 'verifyProofs')
  }
  const oursWarm = await timeAll(cases, keyOf, ours, 'verifyRecordProof')
  const run: ProofRun = task.referenceFirst
    ? { ours: second, ref: first, oursWarm }
    : { ours: first, ref: second, oursWarm }
  process.send?.(run)
}

main()
  .catch((err: unknown) => {
    process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    process.exitCode = 1
  })
  .finally(() => process.disconnect?.())
