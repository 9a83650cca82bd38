import { createFirehoseGenerator, type FrameInfo, type LocalNetwork, startLocalNetwork } from '@donottrain/test'

/** The head of one account's repository before the first generated frame. */
export interface RepoHead {
  did: string
  rev: string
  commit: string
  data: string
}

export interface FirehoseFixture {
  plcUrl: string
  frames: Uint8Array[]
  info: FrameInfo[]
  /** Every account's head before the stream: what an indexer that tracks it from the start holds. */
  heads: RepoHead[]
  accounts: number
  keyTypes: { secp256k1: number; p256: number }
  keyTypeByDid: Map<string, 'secp256k1' | 'p256'>
  close(): Promise<void>
}

/**
 * Starts a local PLC directory (with a PDS: @atproto/dev-env), registers `accounts` accounts in
 * it and generates `frames` realistic signed #commit frames over them (@donottrain/test).
 */
export async function buildFirehoseFixture(opts: {
  frames: number
  accounts: number
  seed?: number
  /** Share of ops that write a declaration (the generator's default: 0.01). */
  declarationRatio?: number
  onProgress?: (done: number) => void
}): Promise<FirehoseFixture> {
  const net: LocalNetwork = await startLocalNetwork()
  try {
    const generator = await createFirehoseGenerator({
      plcUrl: net.plcUrl,
      accounts: opts.accounts,
      seed: opts.seed ?? 1,
      ...(opts.declarationRatio === undefined ? {} : { declarationRatio: opts.declarationRatio }),
    })
    const heads: RepoHead[] = []
    for (const account of generator.accounts) {
      const head = generator.head(account.did)
      if (head) heads.push({ did: account.did, ...head })
    }
    const frames: Uint8Array[] = []
    const info: FrameInfo[] = []
    const batch = 1000
    while (frames.length < opts.frames) {
      for (const g of await generator.next(Math.min(batch, opts.frames - frames.length))) {
        frames.push(g.bytes)
        info.push(g.info)
      }
      opts.onProgress?.(frames.length)
    }
    const p256 = generator.accounts.filter((a) => a.keyType === 'p256').length
    return {
      plcUrl: net.plcUrl,
      frames,
      info,
      heads,
      accounts: generator.accounts.length,
      keyTypes: { secp256k1: generator.accounts.length - p256, p256 },
      keyTypeByDid: new Map(generator.accounts.map((a) => [a.did, a.keyType])),
      close: () => net.close(),
    }
  } catch (err) {
    await net.close()
    throw err
  }
}
