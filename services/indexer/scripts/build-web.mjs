// Bundles the web page scripts (src/web/client/*.ts) for the browser into dist/web/assets/.
// Libraries stay unbundled everywhere else; only these page scripts are bundled.
//
//   node scripts/build-web.mjs            build once (minified, with source maps)
//   node scripts/build-web.mjs --check    build in memory and report sizes, write nothing
//
// The project's libraries are written for Node; three things make them load in a browser:
// - Node built-ins (node:crypto, node:dns, ...) and undici resolve to an empty module. The code
//   that uses them (SafeFetcher, native secp256k1, DNS handle lookups) is never called by the page.
//   node:module's createRequire is a shim that knows the one module the verifier requires, and
//   node:crypto's hash('sha256') (block CIDs) is @noble/hashes.
// - @donottrain/verifier, imported by the page scripts themselves, resolves to a browser entry that
//   re-exports only the proof verifier, without the network code.
// - The verifier's P-256 check through node:crypto is replaced by its own @noble/curves path, and the
//   publish page sets a `Buffer` global (the `buffer` package) for the client library's text helpers.
import { mkdir } from 'node:fs/promises'
import { builtinModules, createRequire } from 'node:module'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const clientDir = join(root, 'src', 'web', 'client')
const outdir = join(root, 'dist', 'web', 'assets')
const require = createRequire(join(root, 'package.json'))
const verifierDist = dirname(require.resolve('@donottrain/verifier'))
const lexiconDist = dirname(require.resolve('@donottrain/lexicon'))
const bufferEntry = require.resolve('buffer/')

const DID_DOC_READERS = new Set(['did-document.js', 'atproto-fields.js'].map((f) => join(verifierDist, 'identity', f)))
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const EMPTY = new Set(['undici'])

/** @type {import('esbuild').Plugin} */
const browserShims = {
  name: 'donottrain-browser-shims',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      // The page's own `import { Buffer } from 'buffer'` (src/web/client/buffer-global.ts) is the npm package.
      if (args.path === 'buffer' && args.importer.startsWith(clientDir + sep)) return { path: bufferEntry }
      if (args.path === 'node:module' || args.path === 'module') return { path: 'node-module', namespace: 'shim' }
      if (args.path === 'node:crypto' || args.path === 'crypto') return { path: 'node-crypto', namespace: 'shim' }
      if (builtins.has(args.path) || EMPTY.has(args.path)) return { path: args.path, namespace: 'empty' }
      if (args.path === '@donottrain/verifier' && args.importer.startsWith(clientDir + sep)) {
        return { path: 'verifier-browser', namespace: 'shim' }
      }
      // The verifier's DID document readers need four helpers of @donottrain/lexicon, whose index
      // would also bring every lexicon schema (and @atproto/api): give them just those modules.
      if (args.path === '@donottrain/lexicon' && DID_DOC_READERS.has(args.importer)) {
        return { path: 'lexicon-identity', namespace: 'shim' }
      }
      if (args.path === './p256-node.js' && args.importer.startsWith(join(verifierDist, 'crypto') + sep)) {
        return { path: 'p256-noble', namespace: 'shim' }
      }
      return undefined
    })
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {}', loader: 'js' }))
    const shims = {
      'verifier-browser': [
        `export { verifyRecordProof } from ${JSON.stringify(join(verifierDist, 'proof', 'verify-record.js'))}`,
        `export { parseDidKey } from ${JSON.stringify(join(verifierDist, 'crypto', 'did-key.js'))}`,
        `export { parseDidDocument } from ${JSON.stringify(join(verifierDist, 'identity', 'did-document.js'))}`,
        `export { getAtprotoKey } from ${JSON.stringify(join(verifierDist, 'identity', 'atproto-fields.js'))}`,
      ].join('\n'),
      'lexicon-identity': [
        `export { err, ok } from ${JSON.stringify(join(lexiconDist, 'result.js'))}`,
        `export { isValidHandle, normalizeHandle } from ${JSON.stringify(join(lexiconDist, 'syntax.js'))}`,
      ].join('\n'),
      'p256-noble': [
        `import { verifyJs } from ${JSON.stringify(join(verifierDist, 'crypto', 'verify-js.js'))}`,
        `export const p256KeyObject = () => null`,
        `export const verifyP256Node = (key, data, sig) => verifyJs('p256', key, data, sig)`,
      ].join('\n'),
      // The verifier loads multiformats' base58 through createRequire (its types are outside the
      // package's exports); in the browser that is a static import. Any other require (the native
      // secp256k1 binding) throws, as when the binding is missing, and the JS path is used.
      'node-module': [
        `import * as base58 from 'multiformats/bases/base58'`,
        `const known = { 'multiformats/bases/base58': base58 }`,
        `export function createRequire() {`,
        `  return (id) => { if (id in known) return known[id]; throw new Error('not in the browser bundle: ' + id) }`,
        `}`,
      ].join('\n'),
      // The verifier hashes blocks with node:crypto's one-shot hash(); here @noble/hashes does it.
      'node-crypto': [
        `import { sha256 } from '@noble/hashes/sha2.js'`,
        `const unavailable = (name) => () => { throw new Error('node:crypto ' + name + ' is not in the browser bundle') }`,
        `export function hash(algorithm, data, encoding) {`,
        `  if (algorithm !== 'sha256') throw new Error('only sha256 in the browser bundle: ' + algorithm)`,
        `  const digest = sha256(typeof data === 'string' ? new TextEncoder().encode(data) : data)`,
        `  if (encoding === 'hex') return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')`,
        `  return digest`,
        `}`,
        `export const createHash = unavailable('createHash')`,
        `export const createPublicKey = unavailable('createPublicKey')`,
        `export const verify = unavailable('verify')`,
        `export default { hash, createHash, createPublicKey, verify }`,
      ].join('\n'),
    }
    build.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({
      contents: shims[args.path],
      loader: 'js',
      // from the verifier's directory, so its own dependency versions are used
      resolveDir: args.path === 'node-module' || args.path === 'node-crypto' ? verifierDist : root,
    }))
  },
}

/** The build options, shared by the CLI below and by tests that build in-process. */
export function webBuildOptions() {
  return {
    entryPoints: { check: join(clientDir, 'check.ts'), publish: join(clientDir, 'publish.ts') },
    outdir,
    bundle: true,
    splitting: false,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    conditions: ['browser'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { global: 'globalThis' },
    plugins: [browserShims],
  }
}

/** Builds the page bundles; resolves to esbuild's result (with the metafile). */
export async function buildWeb({ write = true } = {}) {
  if (write) await mkdir(outdir, { recursive: true })
  return esbuild.build({ ...webBuildOptions(), write })
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check')
  const result = await buildWeb({ write: !check })
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KiB`)
  }
}
