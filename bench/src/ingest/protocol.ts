/** What the parent asks a worker process to do (passed as JSON in argv[2]). */
export type WorkerTask =
  | {
      kind: 'indexer'
      firehoseUrl: string
      plcUrl: string
      /** Temp directory for the SQLite file and key file. */
      dir: string
      /** The worker reports done once the event with this seq is handled. */
      lastSeq: number
      /** JSON file of RepoHead[]: track every account from the start, so every commit is validated. */
      seedFile?: string
      progressMs?: number
    }
  | { kind: 'reference'; firehoseUrl: string; plcUrl: string; lastSeq: number; progressMs?: number }

export type WorkerMessage =
  /** The consumer is set up (the indexer's handle wrapped): the parent may start serving frames. */
  | { type: 'ready' }
  | { type: 'progress'; seq: number; frames: number }
  | {
      type: 'done'
      /** Frames handled between the end of the first and the end of the last (the timed span). */
      frames: number
      ms: number
      /** User + system CPU time of the worker over the timed span. */
      cpuMs: number
      firstSeq: number
      lastSeq: number
      /** Jumps in the handled seqs ([last, next]), the first 20. */
      gaps: Array<[number, number]>
      /** Indexer only: the cursor in its store after a flush (the durable completion signal). */
      durableCursor?: number
      /** Indexer: commits fully validated; reference: commits whose ops it verified. */
      validated: number
      /** Rejections (indexer) or errors (reference) by reason. */
      rejections: Record<string, number>
      /** Declaration changes written (indexer only). */
      changes?: number
    }
  | { type: 'error'; message: string }

/** What the parent sends a worker: stop and exit. */
export type ParentMessage = { type: 'stop' }
