import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ids } from '@atproto/api'
import { type WebSocket, WebSocketServer } from 'ws'
import { encodeErrorFrame, readSeq, withSeq } from './firehose-frame.js'

export interface FrameServerOptions {
  /** Frames to serve, in order; frames whose `seq` cannot be read (hostile bytes) are always sent. */
  frames?: Iterable<Uint8Array>
  /**
   * Replay the frames forever, each pass with every seq shifted past the previous pass (revs are
   * not changed: a validating consumer sees pass 2+ as replays).
   */
  loop?: boolean
  /** Keep only the newest N frames for replay; clients further behind skip ahead (default: all). */
  maxRetained?: number
  /** Bytes a client's socket may hold before the server waits for it to drain (default 4 MiB). */
  highWaterMark?: number
  /** Answer a cursor beyond the newest seq with a FutureCursor error frame, as a PDS does (default true). */
  futureCursorError?: boolean
}

export interface FrameServer {
  /** `ws://127.0.0.1:<port>` — the service a consumer is pointed at. */
  url: string
  /** The full com.atproto.sync.subscribeRepos endpoint. */
  subscribeUrl: string
  port: number
  /** Connections accepted so far. */
  readonly connections: number
  readonly openConnections: number
  /** The `cursor` each connection asked for, in connection order (undefined: none). */
  readonly cursors: ReadonlyArray<number | undefined>
  /** Frames handed to sockets so far, over all connections. */
  readonly framesSent: number
  /** Appends a frame for replay and sends it to every connected client once it has caught up. */
  pushFrame(bytes: Uint8Array): void
  /** Resolves when every open connection has been handed every retained frame. */
  drained(): Promise<void>
  /** Sends bytes to every open connection right now, interleaved with its stream; not retained. */
  sendRaw(bytes: Uint8Array): Promise<void>
  /** Sends an error frame `{op:-1}{error, message}` to every open connection, then closes it. */
  sendError(error: string, message?: string): Promise<void>
  /** Drops every open connection, as a network failure would (`terminate`) or cleanly (`close`). */
  disconnectAll(how?: 'terminate' | 'close'): void
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

interface Entry {
  bytes: Uint8Array
  seq: number | undefined
}

interface Client {
  ws: WebSocket
  open: boolean
  idx: number
  wake?: () => void
}

const PATH = `/xrpc/${ids.ComAtprotoSyncSubscribeRepos}`

/** A com.atproto.sync.subscribeRepos websocket server on 127.0.0.1 and a free port. */
export async function startFrameServer(opts: FrameServerOptions = {}): Promise<FrameServer> {
  const highWaterMark = opts.highWaterMark ?? 4 * 1024 * 1024
  let entries: Entry[] = []
  let base = 0 // absolute index of entries[0]
  let minSeq: number | undefined
  let maxSeq: number | undefined
  const clients = new Set<Client>()
  const cursors: Array<number | undefined> = []
  let connections = 0
  let framesSent = 0
  let drainWaiters: Array<() => void> = []

  const append = (bytes: Uint8Array) => {
    const seq = readSeq(bytes)
    if (seq !== undefined) {
      minSeq = minSeq === undefined ? seq : Math.min(minSeq, seq)
      maxSeq = maxSeq === undefined ? seq : Math.max(maxSeq, seq)
    }
    entries.push({ bytes, seq })
    if (opts.maxRetained !== undefined && entries.length > opts.maxRetained * 1.5) {
      const drop = entries.length - opts.maxRetained
      entries = entries.slice(drop)
      base += drop
    }
  }
  for (const bytes of opts.frames ?? []) append(bytes)

  const checkDrained = () => {
    const end = base + entries.length
    if ([...clients].every((c) => !c.open || c.idx >= end)) {
      const waiters = drainWaiters
      drainWaiters = []
      for (const w of waiters) w()
    }
  }

  const send = (client: Client, bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      client.ws.send(bytes, { binary: true }, (err) => (err ? reject(err) : resolve())),
    )

  const serve = async (client: Client, cursor: number | undefined) => {
    const span = () => (maxSeq ?? 0) - (minSeq ?? 0) + 1
    let pass = 0
    let burst = 0
    if (opts.loop && cursor !== undefined && minSeq !== undefined) {
      pass = Math.max(0, Math.floor((cursor + 1 - minSeq) / span()))
    }
    client.idx = base
    while (client.open) {
      if (client.idx < base) client.idx = base
      const entry = entries[client.idx - base]
      if (!entry) {
        if (opts.loop && entries.length > 0) {
          pass++
          client.idx = base
          continue
        }
        checkDrained()
        await new Promise<void>((resolve) => {
          client.wake = resolve
        })
        client.wake = undefined
        continue
      }
      client.idx++
      let bytes = entry.bytes
      if (entry.seq !== undefined) {
        const seq = entry.seq + pass * span()
        if (cursor !== undefined && seq <= cursor) continue
        if (pass > 0) bytes = withSeq(bytes, seq)
      }
      const sent = send(client, bytes)
      framesSent++
      if (client.ws.bufferedAmount > highWaterMark) {
        await sent
      } else {
        sent.catch(() => {})
        // Let I/O run (other clients, a consumer in this process) during long in-memory bursts.
        if (++burst % 256 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    }
  }

  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end()
  })
  const wss = new WebSocketServer({ noServer: true })
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const raw = url.searchParams.get('cursor')
      const cursor = raw === null ? undefined : Number(raw)
      connections++
      cursors.push(cursor)
      const client: Client = { ws, open: true, idx: base }
      const stop = () => {
        client.open = false
        clients.delete(client)
        client.wake?.()
        checkDrained()
      }
      ws.on('close', stop)
      ws.on('error', stop)
      if (cursor !== undefined && (!Number.isSafeInteger(cursor) || cursor < 0)) {
        ws.send(encodeErrorFrame('InvalidRequest', `invalid cursor cursor=${raw}`), () => ws.close())
        return
      }
      if (opts.futureCursorError !== false && !opts.loop && cursor !== undefined && cursor > (maxSeq ?? 0)) {
        ws.send(encodeErrorFrame('FutureCursor', 'Cursor in the future.'), () => ws.close())
        return
      }
      clients.add(client)
      serve(client, cursor).catch(stop)
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const port = (http.address() as AddressInfo).port
  const url = `ws://127.0.0.1:${port}`

  const forEachOpen = (fn: (c: Client) => Promise<void>) =>
    Promise.all([...clients].filter((c) => c.open).map((c) => fn(c).catch(() => {})))

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      for (const c of clients) {
        c.open = false
        c.ws.terminate()
        c.wake?.()
      }
      clients.clear()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      http.closeAllConnections()
      await new Promise<void>((resolve, reject) => http.close((err) => (err ? reject(err) : resolve())))
      checkDrained()
    })()
    return closing
  }

  return {
    url,
    subscribeUrl: `${url}${PATH}`,
    port,
    get connections() {
      return connections
    },
    get openConnections() {
      return [...clients].filter((c) => c.open).length
    },
    cursors,
    get framesSent() {
      return framesSent
    },
    pushFrame(bytes) {
      append(bytes)
      for (const c of clients) c.wake?.()
    },
    drained: () =>
      new Promise<void>((resolve) => {
        drainWaiters.push(resolve)
        checkDrained()
      }),
    sendRaw: async (bytes) => {
      await forEachOpen((c) => send(c, bytes))
    },
    sendError: async (error, message) => {
      await forEachOpen(async (c) => {
        await send(c, encodeErrorFrame(error, message))
        c.ws.close()
      })
    },
    disconnectAll(how = 'terminate') {
      for (const c of clients) {
        if (how === 'terminate') c.ws.terminate()
        else c.ws.close()
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  }
}
