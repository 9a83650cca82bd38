import type { Logger } from 'pino'
import WebSocket from 'ws'
import { type FirehoseEvent, parseEvent } from './events.js'
import { decodeFrame, FrameError } from './frame.js'

export interface SubscriptionOptions {
  /** subscribeRepos websocket URL, without query. */
  url: string
  /** The cursor to resume from: the last seq whose effects are durable. */
  getCursor(): Promise<number | undefined>
  /**
   * Handles one event, in stream order; resolves when its effects are durable. Up to
   * `maxInFlight` calls are outstanding at once (the handler orders them and may write them
   * together). Reading pauses while the queue is full.
   */
  onEvent(event: FirehoseEvent): Promise<void>
  /** A frame or event was rejected (counted by the caller); malformed framing also drops the connection. */
  onReject(reason: string, err: unknown): void
  maxFrameBytes: number
  idleTimeoutMs: number
  /** Events buffered before the socket is paused. */
  queueSize: number
  /** Events handed to `onEvent` and not yet settled, at most (default 64; on top of `queueSize`). */
  maxInFlight?: number
  signal: AbortSignal
  log: Logger
  /** Updated as events are buffered and processed: `queued` is the depth of the event queue. */
  stats?: SubscriptionStats
  /** Backoff bounds for reconnects (ms). */
  minBackoffMs?: number
  maxBackoffMs?: number
}

export interface SubscriptionStats {
  /** Events received and not yet processed. */
  queued: number
}

/**
 * Follows com.atproto.sync.subscribeRepos: reconnects with jittered exponential backoff,
 * resumes from the durable cursor, pauses the socket when processing falls behind (memory
 * stays bounded), treats a silent socket as dead, and never lets a bad frame crash the process.
 * Resolves when the signal aborts and the in-flight events are processed.
 */
export async function runSubscription(opts: SubscriptionOptions): Promise<void> {
  const { log, signal } = opts
  const minBackoff = opts.minBackoffMs ?? 1000
  const maxBackoff = opts.maxBackoffMs ?? 60_000
  let attempt = 0
  let dropCursor = false
  while (!signal.aborted) {
    const cursor = dropCursor ? undefined : await opts.getCursor()
    dropCursor = false
    const url = cursor === undefined ? opts.url : `${opts.url}?cursor=${cursor}`
    const result = await connectOnce(url, opts)
    if (signal.aborted) break
    if (result.received > 0) attempt = 0
    if (result.error === 'FutureCursor') {
      log.warn({ cursor }, 'relay says our cursor is in its future; resuming live without a cursor')
      dropCursor = true
    }
    const delay = Math.min(maxBackoff, minBackoff * 2 ** attempt) * (0.5 + Math.random() / 2)
    attempt = Math.min(attempt + 1, 16)
    log.info({ reason: result.reason, delayMs: Math.round(delay) }, 'firehose disconnected; reconnecting')
    await sleep(delay, signal)
  }
}

interface ConnectResult {
  reason: string
  error?: string
  received: number
}

function connectOnce(url: string, opts: SubscriptionOptions): Promise<ConnectResult> {
  const { log, signal } = opts
  return new Promise<ConnectResult>((resolve) => {
    const ws = new WebSocket(url, { maxPayload: opts.maxFrameBytes, handshakeTimeout: 10_000 })
    const queue: FirehoseEvent[] = []
    let received = 0
    let reason = 'closed'
    let errorName: string | undefined
    let processing = false
    let closed = false
    let paused = false
    let idleTimer: NodeJS.Timeout | undefined

    const depth = () => {
      if (opts.stats) opts.stats.queued = queue.length
    }
    const finish = () => {
      depth()
      if (processing || !closed) return
      clearTimeout(idleTimer)
      signal.removeEventListener('abort', onAbort)
      resolve(errorName === undefined ? { reason, received } : { reason, error: errorName, received })
    }
    const drop = (why: string) => {
      reason = why
      ws.terminate()
    }
    const resetIdle = () => {
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => drop('idle'), opts.idleTimeoutMs)
    }
    const onAbort = () => drop('shutdown')
    signal.addEventListener('abort', onAbort, { once: true })

    const maxInFlight = Math.max(1, opts.maxInFlight ?? 64)
    const handled = async (event: FirehoseEvent): Promise<{ err: unknown } | undefined> => {
      try {
        await opts.onEvent(event)
        return undefined
      } catch (err) {
        return { err }
      }
    }
    const pump = async () => {
      if (processing) return
      processing = true
      // Handed to onEvent, oldest first; each settles after the ones before it.
      const inFlight: Array<Promise<{ err: unknown } | undefined>> = []
      let failed = false
      try {
        while (inFlight.length > 0 || (queue.length > 0 && !failed)) {
          if (!failed && queue.length > 0 && inFlight.length < maxInFlight) {
            inFlight.push(handled(queue.shift() as FirehoseEvent))
            depth()
            continue
          }
          const outcome = await inFlight.shift()
          if (outcome && !failed) {
            // The handler failed (e.g. the store is down): stop here so the cursor stays behind
            // this event, and reconnect from it once the events in flight have settled.
            log.error({ err: outcome.err }, 'event handler failed; reconnecting from the durable cursor')
            failed = true
            queue.length = 0
            drop('handler-error')
          }
          if (paused && queue.length < opts.queueSize / 2) {
            paused = false
            ws.resume()
          }
        }
      } finally {
        processing = false
        finish()
      }
    }

    ws.on('open', () => {
      log.info({ url: url.replace(/\?.*$/, '') }, 'firehose connected')
      resetIdle()
    })
    ws.on('pong', resetIdle)
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      resetIdle()
      received++
      if (!isBinary) {
        opts.onReject('text-frame', new FrameError('bad-header', 'text frame on a binary stream'))
        return drop('bad-frame')
      }
      let event: FirehoseEvent
      try {
        const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), opts.maxFrameBytes)
        if (frame.op === -1) {
          errorName = frame.error
          log.warn({ error: frame.error, message: frame.message }, 'firehose error frame')
          return drop(`error-frame:${frame.error}`)
        }
        event = parseEvent(frame)
      } catch (err) {
        const why = err instanceof FrameError ? `frame-${err.reason}` : 'bad-event'
        opts.onReject(why, err)
        // Framing errors mean the stream can no longer be trusted; malformed event bodies are skipped.
        if (err instanceof FrameError) return drop('bad-frame')
        return
      }
      queue.push(event)
      depth()
      if (!paused && queue.length >= opts.queueSize) {
        paused = true
        ws.pause()
      }
      void pump()
    })
    ws.on('error', (err) => {
      if ((err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        opts.onReject('frame-too-large', err)
        reason = 'frame-too-large'
      } else {
        log.warn({ err: { message: err.message } }, 'firehose socket error')
        reason = 'socket-error'
      }
    })
    ws.on('close', () => {
      closed = true
      finish()
    })
    const ping = setInterval(
      () => {
        if (ws.readyState === WebSocket.OPEN) ws.ping()
      },
      Math.max(1000, opts.idleTimeoutMs / 3),
    )
    ws.once('close', () => clearInterval(ping))
  })
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
