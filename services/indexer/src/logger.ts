import { pino } from 'pino'

/** The indexer's loggers, declared in one place. Call shape: log.warn({ err, did }, 'message'). */
export function createLoggers(level: string) {
  const root = pino({
    level,
    name: 'donottrain-indexer',
    redact: { paths: ['*.authorization', '*.password', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
  })
  return {
    root,
    firehose: root.child({ component: 'firehose' }),
    ingest: root.child({ component: 'ingest' }),
    db: root.child({ component: 'db' }),
    http: root.child({ component: 'http' }),
    identity: root.child({ component: 'identity' }),
    sync: root.child({ component: 'sync' }),
    backfill: root.child({ component: 'backfill' }),
  }
}

export type Loggers = ReturnType<typeof createLoggers>
