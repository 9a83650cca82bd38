import { InvalidRequestError, type Server } from '@atproto/xrpc-server'
import { ids } from '@donottrain/lexicon'
import { formatTlogProof, fromBase64, toBase64 } from '@donottrain/verifier'
import type { ApiContext } from '../../../context.js'

export default function (server: Server, ctx: ApiContext): void {
  server.method(ids.AiDonottrainLogGetInclusionProof, {
    handler: async ({ params }) => {
      const log = ctx.tlog.store
      let index = params.index as number | undefined
      const hashParam = params.leafHash as string | undefined
      if ((index === undefined) === (hashParam === undefined)) {
        throw new InvalidRequestError('give exactly one of index and leafHash')
      }
      let leaf: { idx: number; leaf: Uint8Array; hash: Uint8Array } | undefined
      if (hashParam !== undefined) {
        const bytes = decodeHash(hashParam)
        leaf = bytes && (await log.leafByHash(bytes))
        if (!leaf) throw new InvalidRequestError('no leaf has that hash', 'LeafNotFound')
        index = leaf.idx
      }
      const checkpoint = params.treeSize === undefined ? await log.latestCheckpoint() : undefined
      const treeSize = (params.treeSize as number | undefined) ?? checkpoint?.size
      if (treeSize === undefined) throw new InvalidRequestError('the log has no checkpoint yet', 'NoCheckpoint')
      if (treeSize > (await log.size())) throw new InvalidRequestError('tree size beyond the log', 'TreeSizeTooLarge')
      if ((index as number) >= treeSize) throw new InvalidRequestError('index not below the tree size', 'LeafNotFound')
      leaf ??= (await log.entries(index as number, 1))[0]
      if (!leaf) throw new InvalidRequestError('no leaf at that index', 'LeafNotFound')
      const hashes = await log.inclusionProof(treeSize, index as number)
      const signed = checkpoint ?? (await log.checkpointOfSize(treeSize))
      return {
        encoding: 'application/json',
        body: {
          proof: { leafIndex: index as number, treeSize, leafHash: toBase64(leaf.hash), hashes: hashes.map(toBase64) },
          ...(signed && {
            // The leaf bytes ride along as the proof's opaque extra data (not authenticated by it:
            // a verifier hashes them and checks the result is the proven leaf hash).
            tlogProof: formatTlogProof({
              index: index as number,
              proof: hashes,
              checkpoint: signed.note,
              extra: leaf.leaf,
            }),
          }),
        },
      }
    },
  })
}

function decodeHash(text: string): Uint8Array | undefined {
  try {
    const bytes = fromBase64(text)
    return bytes?.length === 32 ? bytes : undefined
  } catch {
    return undefined
  }
}
