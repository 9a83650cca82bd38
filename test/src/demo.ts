#!/usr/bin/env node
// `npm run demo`: the whole loop on this machine, without internet. A local PDS + PLC, an
// indexer on a temp SQLite file, an opt-out published with the client, the indexer's answer,
// and the proof verified against the author's DID document.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { login } from '@donottrain/client'
import { buildConfig, startIndexer } from '@donottrain/indexer'
import { type AiDonottrainDefs, ids } from '@donottrain/lexicon'
import { DidResolver, verifyRecordProof } from '@donottrain/verifier'
import { startLocalNetwork } from './network.js'
import { waitFor } from './wait.js'

const step = (n: number, text: string) => process.stdout.write(`\n${n}. ${text}\n`)
const show = (text: string) => process.stdout.write(`   ${text}\n`)

async function main() {
  step(1, 'starting a local PDS and PLC directory (in-process, no Docker)')
  const net = await startLocalNetwork()
  const dir = mkdtempSync(join(tmpdir(), 'donottrain-demo-'))
  const resolver = new DidResolver({ plcUrl: net.plcUrl, allowLoopback: true })
  try {
    show(`PDS ${net.pdsUrl}   PLC ${net.plcUrl}`)

    step(2, 'starting the indexer on a temp SQLite file, following the PDS firehose')
    const alice = await net.createAccount('alice')
    const indexer = await startIndexer(
      buildConfig({
        INDEXER_FIREHOSE_URL: net.pdsUrl,
        INDEXER_DB_URL: `sqlite:${join(dir, 'indexer.sqlite')}`,
        INDEXER_KEY_FILE: join(dir, 'signing-key'),
        INDEXER_HOST: '127.0.0.1',
        INDEXER_PORT: '0',
        INDEXER_PLC_URL: net.plcUrl,
        INDEXER_ALLOW_LOOPBACK: 'true',
        INDEXER_LOG_LEVEL: 'warn',
      }),
    )
    try {
      show(`indexer ${indexer.url}`)

      step(3, `publishing "#donottrain" for the whole account of ${alice.handle} with @donottrain/client`)
      const client = await login({ identifier: alice.did, password: alice.password, plcUrl: net.plcUrl })
      const put = await client.declare({ preferences: { trainAi: 'deny' }, statement: 'Please ask first.' })
      show(`${put.action} ${put.uri}`)
      show(`cid ${put.cid}`)

      step(4, 'waiting for the indexer, then asking it: may I train on this account?')
      const url = new URL(`/xrpc/${ids.AiDonottrainGetStatus}`, indexer.url)
      url.searchParams.set('subject', alice.did)
      const status = await waitFor(
        async () => {
          const s = (await (await fetch(url)).json()) as AiDonottrainDefs.StatusView
          return s.declarations.some((d) => d.cid === put.cid) && s
        },
        { what: 'the indexer to serve the declaration', timeoutMs: 20_000 },
      )
      show(`GET ${url.pathname}?subject=${alice.did}`)
      show(`verdict   ${JSON.stringify(status.verdict)}`)
      show(`Content-Usage: ${status.renderings.contentUsage}`)
      show(`Content-Signal: ${status.renderings.contentSignal}`)
      show(`tdm-reservation: ${status.renderings.tdmReservation}   robots: ${status.renderings.robots}`)

      step(5, 'fetching the proof from the indexer and verifying it offline against the DID document')
      const proofUrl = new URL(`/xrpc/${ids.AiDonottrainGetProof}`, indexer.url)
      proofUrl.searchParams.set('uri', put.uri)
      const car = new Uint8Array(await (await fetch(proofUrl)).arrayBuffer())
      const proven = await verifyRecordProof(car, {
        did: alice.did,
        collection: ids.AiDonottrainDeclaration,
        rkey: 'self',
        resolver,
      })
      if (!proven.ok) throw new Error(`proof did not verify: ${proven.error.message}`)
      show(
        `proof: ${car.length} bytes CAR, record ${proven.value.recordCid}, signed commit rev ${proven.value.commit.rev}`,
      )
      show('verified: the record is in the account’s signed repository; no need to trust the indexer for it')
      process.stdout.write('\nDone: published → indexed → answered → proven.\n')
    } finally {
      await indexer.stop()
    }
  } finally {
    await resolver.close()
    await net.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})
