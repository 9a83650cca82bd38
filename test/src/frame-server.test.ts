import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { generateFirehose } from './firehose-fixtures.js'
import { decodeFrame, encodeFrame, readSeq } from './firehose-frame.js'
import { type FrameServer, startFrameServer } from './frame-server.js'
import { startLocalNetwork } from './network.js'
import { waitFor } from './wait.js'

interface TestClient {
  ws: WebSocket
  frames: Uint8Array[]
  closed: Promise<void>
}

async function connect(url: string): Promise<TestClient> {
  const ws = new WebSocket(url)
  const frames: Uint8Array[] = []
  ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)))
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return { ws, frames, closed }
}

const frame = (seq: number, extra: Record<string, unknown> = {}) =>
  encodeFrame({ op: 1, t: '#commit' }, { seq, repo: 'did:plc:example', ...extra })
const seqs = (frames: Uint8Array[]) => frames.map((f) => readSeq(f))

let server: FrameServer | undefined
const clients: TestClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate()
  await server?.close()
  server = undefined
})

async function open(url: string): Promise<TestClient> {
  const client = await connect(url)
  clients.push(client)
  return client
}

describe('startFrameServer', () => {
  it('sends every frame to a client without cursor, then only seq > cursor, and records the cursors', async () => {
    server = await startFrameServer({ frames: [1, 2, 3, 4, 5].map((s) => frame(s)) })
    const all = await open(server.subscribeUrl)
    await waitFor(() => all.frames.length === 5, { what: 'all frames' })
    expect(seqs(all.frames)).toEqual([1, 2, 3, 4, 5])
    const resumed = await open(`${server.subscribeUrl}?cursor=3`)
    await waitFor(() => resumed.frames.length === 2, { what: 'frames after the cursor' })
    expect(seqs(resumed.frames)).toEqual([4, 5])
    expect(server.connections).toBe(2)
    expect(server.cursors).toEqual([undefined, 3])
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
  })

  it('delivers live pushes after the replay, in order, to every connected client', async () => {
    server = await startFrameServer({ frames: [frame(1)] })
    const a = await open(server.subscribeUrl)
    const b = await open(`${server.subscribeUrl}?cursor=1`)
    await waitFor(() => a.frames.length === 1, { what: 'replay' })
    for (let s = 2; s <= 50; s++) server.pushFrame(frame(s))
    await server.drained()
    await waitFor(() => a.frames.length === 50 && b.frames.length === 49, { what: 'live frames' })
    expect(seqs(a.frames)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(seqs(b.frames)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2))
  })

  it('answers a cursor in the future with a FutureCursor error frame and closes', async () => {
    server = await startFrameServer({ frames: [frame(1), frame(2)] })
    const client = await open(`${server.subscribeUrl}?cursor=9`)
    await client.closed
    expect(client.frames).toHaveLength(1)
    const { header, body } = decodeFrame(client.frames[0] as Uint8Array)
    expect(header).toEqual({ op: -1 })
    expect(body.error).toBe('FutureCursor')
  })

  it('sends raw hostile bytes as they are, and error frames before closing the connection', async () => {
    server = await startFrameServer({ frames: [frame(1), Uint8Array.of(0xa2, 0xff, 0x00)] })
    const client = await open(`${server.subscribeUrl}?cursor=1`)
    await waitFor(() => client.frames.length === 1, { what: 'the seq-less frame' })
    expect(client.frames[0]).toEqual(Uint8Array.of(0xa2, 0xff, 0x00))
    await server.sendRaw(Uint8Array.of(1, 2, 3))
    await server.sendError('ConsumerTooSlow', 'too slow')
    await client.closed
    expect(client.frames[1]).toEqual(Uint8Array.of(1, 2, 3))
    expect(decodeFrame(client.frames[2] as Uint8Array).body).toEqual({ error: 'ConsumerTooSlow', message: 'too slow' })
    await waitFor(() => server?.openConnections === 0, { what: 'the server side to close' })
  })

  it('loops with seqs shifted past the previous pass and the rest of each frame unchanged', async () => {
    server = await startFrameServer({
      frames: [frame(10, { x: 'a' }), frame(11, { x: 'b' }), frame(12, { x: 'c' })],
      loop: true,
    })
    const client = await open(server.subscribeUrl)
    await waitFor(() => client.frames.length >= 9, { what: 'three passes' })
    client.ws.terminate()
    expect(seqs(client.frames.slice(0, 9))).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18])
    expect(client.frames.slice(0, 9).map((f) => decodeFrame(f).body.x)).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
    ])
    const resumed = await open(`${server.subscribeUrl}?cursor=14`)
    await waitFor(() => resumed.frames.length >= 2, { what: 'resumed pass' })
    expect(seqs(resumed.frames.slice(0, 2))).toEqual([15, 16])
  })

  it('waits for a client that does not read instead of buffering every frame', async () => {
    const payload = new Uint8Array(512 * 1024)
    const frames = Array.from({ length: 100 }, (_, i) => frame(i + 1, { payload }))
    server = await startFrameServer({ frames, highWaterMark: 256 * 1024 })
    const client = await open(server.subscribeUrl)
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    let last = -1
    await waitFor(
      async () => {
        const now = server?.framesSent ?? 0
        const stable = now === last
        last = now
        await new Promise((r) => setTimeout(r, 150))
        return stable && now > 0
      },
      { what: 'the sender to stall' },
    )
    expect(server.framesSent).toBeLessThan(60)
    socket.resume()
    await waitFor(() => client.frames.length === 100, { what: 'every frame after resuming', timeoutMs: 20_000 })
    expect(seqs(client.frames)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
  })

  it('counts reconnects after a dropped connection and resumes from the client cursor', async () => {
    server = await startFrameServer({ frames: [1, 2, 3].map((s) => frame(s)) })
    const first = await open(server.subscribeUrl)
    await waitFor(() => first.frames.length === 3, { what: 'first pass' })
    server.disconnectAll()
    await first.closed
    server.pushFrame(frame(4))
    const second = await open(`${server.subscribeUrl}?cursor=${readSeq(first.frames[2] as Uint8Array)}`)
    await waitFor(() => second.frames.length === 1, { what: 'the frame after the cursor' })
    expect(seqs(second.frames)).toEqual([4])
    expect(server.connections).toBe(2)
  })

  it('refuses other paths', async () => {
    server = await startFrameServer()
    await expect(connect(`${server.url}/xrpc/com.example.other`)).rejects.toThrow(/404/)
  })
})

describe('startFrameServer with generated frames', () => {
  let net: Awaited<ReturnType<typeof startLocalNetwork>>
  let frames: Uint8Array[]
  beforeAll(async () => {
    net = await startLocalNetwork()
    frames = (await generateFirehose({ plcUrl: net.plcUrl, accounts: 4, commits: 60, seed: 3 })).frames
  })
  afterAll(async () => {
    await net?.close()
  })

  it('replays real #commit frames byte for byte from a cursor', async () => {
    server = await startFrameServer({ frames })
    const client = await open(`${server.subscribeUrl}?cursor=20`)
    await waitFor(() => client.frames.length === 40, { what: 'frames 21..60' })
    expect(client.frames).toEqual(frames.slice(20))
  })
})
