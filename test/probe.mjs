import { startLocalNetwork } from './dist/network.js'
import { generateFirehose } from './dist/firehose-fixtures.js'
import { startFrameServer } from './dist/frame-server.js'
import { WebSocket } from 'ws'
const net = await startLocalNetwork()
try {
  const t0 = performance.now()
  const g = await generateFirehose({ plcUrl: net.plcUrl, accounts: 500, commits: 10000 })
  const t1 = performance.now()
  const bytes = g.frames.reduce((a, f) => a + f.length, 0)
  console.log(`generate 500 accounts + 10000 frames: ${((t1 - t0) / 1000).toFixed(1)} s; avg frame ${(bytes / g.frames.length).toFixed(0)} B; relevant frames ${g.info.filter(i => i.relevant).length}; expected ${g.expected.declarations.size}; p256 ${g.accounts.filter(a=>a.keyType==='p256').length}`)
  const t2 = performance.now(); await g.generator.next(5000); console.log(`next(5000): ${((performance.now() - t2) / 1000).toFixed(1)} s`)
  const server = await startFrameServer({ frames: g.frames, loop: true })
  const ws = new WebSocket(server.subscribeUrl)
  let n = 0; const ts = performance.now()
  await new Promise((resolve) => ws.on('message', () => { if (++n === 200000) resolve() }))
  console.log(`server loop: ${(200000 / ((performance.now() - ts) / 1000)).toFixed(0)} frames/s; rss ${(process.memoryUsage().rss/1e6).toFixed(0)} MB`)
  ws.terminate(); await server.close()
} finally { await net.close() }
