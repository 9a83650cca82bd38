import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { ErrorFrame, MessageFrame } from '@atproto/xrpc-server'
import { ids, lexicons } from '@donottrain/lexicon'
import { type WebSocket, WebSocketServer } from 'ws'
import { changeView, parseSeqCursor } from '../../changes.js'
import type { ApiContext } from '../../context.js'
import { ChangeNotifier } from '../../notifier.js'

const PAGE = 500
const CHANGE_TYPE = '#change'
const CHANGE_LEX_TYPE = `${ids.AiDonottrainSubscribeDeclarations}#change`
/** How long a subscriber may sit above the high-water mark before it is cut off. */
const STALL_MS = 5_000

export interface DeclarationStream {
  /** Takes over an HTTP upgrade for this method's path; false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  close(): Promise<void>
}

/**
 * `ai.donottrain.subscribeDeclarations`: replays the change feed after the cursor from the store
 * in pages, then follows it live. Each subscriber reads the store itself, so a subscriber holds
 * at most one page plus its socket buffer; one that stays above the high-water mark is sent
 * `ConsumerTooSlow` and disconnected (it resumes from its last seq).
 */
export function createDeclarationStream(ctx: ApiContext): DeclarationStream {
  const path = `/xrpc/${ids.AiDonottrainSubscribeDeclarations}`
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 })
  const notifier = new ChangeNotifier(
    () => ctx.queries.latestSeq(),
    ctx.pollMs,
    (err) => ctx.log.warn({ err }, 'change poll failed'),
  )
  const sessions = new Set<Promise<void>>()
  const closing = new AbortController()
  ctx.metrics.gauge('donottrain_subscribers', 'Open subscribeDeclarations connections', () => wss.clients.size)
  ctx.metrics.counter('donottrain_subscriber_frames_total', 'Frames sent to subscribeDeclarations consumers')
  ctx.metrics.counter('donottrain_subscriber_cutoffs_total', 'Subscribers disconnected, by reason')

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const session = serve(ws, req).catch((err) => {
      ctx.log.warn({ err }, 'subscriber failed')
      ws.terminate()
    })
    sessions.add(session)
    void session.finally(() => sessions.delete(session))
  })

  async function serve(ws: WebSocket, req: IncomingMessage): Promise<void> {
    const abort = new AbortController()
    const stop = () => abort.abort()
    ws.once('close', stop)
    closing.signal.addEventListener('abort', stop, { once: true })
    ws.on('error', stop)
    ws.on('message', () => {}) // consumers have nothing to say; maxPayload bounds them
    try {
      const raw = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor')
      const latest = await ctx.queries.latestSeq()
      let after = latest
      if (raw !== null) {
        const cursor = parseSeqCursor(raw)
        if (cursor === null) return fail(ws, 'InvalidRequest', 'cursor must be a non-negative integer')
        if (cursor > latest) return fail(ws, 'FutureCursor', `cursor=${cursor} is ahead of the newest seq=${latest}`)
        after = cursor
      }
      while (!abort.signal.aborted) {
        const rows = await ctx.queries.changesAfter(after, PAGE)
        for (const row of rows) {
          const body = { change: changeView(row) }
          lexicons.assertValidXrpcMessage(ids.AiDonottrainSubscribeDeclarations, { $type: CHANGE_LEX_TYPE, ...body })
          ws.send(new MessageFrame(body as never, { type: CHANGE_TYPE }).toBytes())
          ctx.metrics.inc('donottrain_subscriber_frames_total')
          after = row.seq
        }
        if (!(await keptUp(ws, abort.signal))) {
          ctx.metrics.inc('donottrain_subscriber_cutoffs_total', { reason: 'ConsumerTooSlow' })
          return fail(ws, 'ConsumerTooSlow', `fell behind at seq=${after}; resume with cursor=${after}`)
        }
        if (rows.length < PAGE) await notifier.wait(after, abort.signal)
      }
    } finally {
      ws.off('close', stop)
      closing.signal.removeEventListener('abort', stop)
      if (ws.readyState === ws.OPEN) ws.close(1000)
    }
  }

  /** Waits while the socket holds more than the high-water mark; false when it stays there. */
  async function keptUp(ws: WebSocket, signal: AbortSignal): Promise<boolean> {
    const started = Date.now()
    while (ws.bufferedAmount > ctx.subscriberHighWaterMark && !signal.aborted) {
      if (Date.now() - started > STALL_MS) return false
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    return true
  }

  function fail(ws: WebSocket, error: string, message: string): void {
    if (ws.readyState !== ws.OPEN) return
    ws.send(new ErrorFrame({ error, message }).toBytes())
    ws.close(1008, error)
    // A reader that stopped reading never completes the close handshake.
    setTimeout(() => ws.terminate(), 1_000).unref()
  }

  return {
    handleUpgrade(req, socket, head) {
      if ((req.url ?? '').split('?')[0] !== path) return false
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
      return true
    },
    async close() {
      closing.abort()
      notifier.close()
      for (const ws of wss.clients) ws.terminate()
      await Promise.all([...sessions])
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
