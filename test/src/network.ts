import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { TestNetworkNoAppView } from '@atproto/dev-env'

export interface TestAccount {
  did: string
  handle: string
  email: string
  password: string
  /** An agent logged in as this account. */
  agent: AtpAgent
}

export interface LocalNetwork {
  /** The PDS's base URL, e.g. http://localhost:53121 */
  pdsUrl: string
  /** The PLC directory's base URL. */
  plcUrl: string
  /** The PDS's firehose (com.atproto.sync.subscribeRepos) websocket URL. */
  firehoseUrl: string
  /** The dev-env network, for anything the helpers below do not cover. */
  network: TestNetworkNoAppView
  /** Creates an account (handle `<name>.test`) and returns it logged in. */
  createAccount(name: string, opts?: { password?: string }): Promise<TestAccount>
  /** A new agent pointed at the PDS, not logged in. */
  agent(): AtpAgent
  /** Admin request headers for the PDS's admin endpoints. */
  adminHeaders(): Record<string, string>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * Starts a real PDS and PLC directory in-process (@atproto/dev-env, no Docker) on free
 * loopback ports, with data in a fresh temp directory that close() removes.
 */
export async function startLocalNetwork(): Promise<LocalNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'donottrain-net-'))
  const dataDirectory = join(dir, 'pds')
  await mkdir(dataDirectory, { recursive: true })
  let network: TestNetworkNoAppView
  try {
    network = await TestNetworkNoAppView.create({
      pds: { dataDirectory, blobstoreDiskLocation: join(dir, 'blobs') },
    })
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const pdsUrl = network.pds.url
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    try {
      await network.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return {
    pdsUrl,
    plcUrl: network.plc.url,
    firehoseUrl: `${pdsUrl.replace(/^http/, 'ws')}/xrpc/com.atproto.sync.subscribeRepos`,
    network,
    async createAccount(name, opts = {}) {
      const handle = `${name}.test`
      const email = `${name}@example.com`
      const password = opts.password ?? `pw-${name}-${Math.random().toString(36).slice(2)}`
      const agent = new AtpAgent({ service: pdsUrl })
      await agent.createAccount({ handle, email, password })
      const did = agent.session?.did
      if (!did) throw new Error(`account creation returned no session handle=${handle}`)
      return { did, handle, email, password, agent }
    },
    agent: () => new AtpAgent({ service: pdsUrl }),
    adminHeaders: () => network.pds.adminAuthHeaders(),
    close,
    [Symbol.asyncDispose]: close,
  }
}
