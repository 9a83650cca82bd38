#!/usr/bin/env node
// Generates packages/lexicon/src/generated from the lexicon JSON in /lexicons with
// @atproto/lex-cli, then makes the output valid ESM for NodeNext (relative imports get '.js').
// `--check` regenerates into a temp dir and fails when the committed code differs.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const lexiconDir = join(root, 'lexicons')
const target = resolve(here, '../src/generated')
const check = process.argv.includes('--check')

const walk = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? walk(p) : [p]
    })

const require = createRequire(import.meta.url)
const lexCli = join(dirname(require.resolve('@atproto/lex-cli/package.json')), 'dist/index.js')
const schemas = walk(lexiconDir).filter((p) => p.endsWith('.json'))

const work = mkdtempSync(join(tmpdir(), 'donottrain-codegen-'))
try {
  const out = join(work, 'generated')
  execFileSync(process.execPath, [lexCli, 'gen-api', '--yes', out, ...schemas], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // lex-cli also emits an XRPC client class (index.ts) whose record helpers need the whole
  // com.atproto.repo namespace; the project only uses the schemas, types and validators.
  rmSync(join(out, 'index.ts'))
  for (const file of walk(out).filter((p) => p.endsWith('.ts'))) {
    writeFileSync(file, toNodeNextEsm(readFileSync(file, 'utf8')))
  }
  if (check) {
    const a = walk(out).map((p) => relative(out, p))
    const b = statSafe(target) ? walk(target).map((p) => relative(target, p)) : []
    const stale = [...new Set([...a, ...b])].filter((f) => {
      try {
        return readFileSync(join(out, f), 'utf8') !== readFileSync(join(target, f), 'utf8')
      } catch {
        return true
      }
    })
    if (stale.length > 0) {
      console.error(`generated lexicon code is out of date with lexicons/ (${stale.length} files):`)
      for (const f of stale) console.error(`  packages/lexicon/src/generated/${f}`)
      console.error('run: npm run codegen')
      process.exitCode = 1
    } else {
      console.log(`generated lexicon code is up to date (${a.length} files, ${schemas.length} lexicons)`)
    }
  } else {
    rmSync(target, { recursive: true, force: true })
    cpSync(out, target, { recursive: true })
    console.log(`generated ${walk(target).length} files from ${schemas.length} lexicons`)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

// lex-cli writes CommonJS-style TypeScript; make it valid for module NodeNext with
// verbatimModuleSyntax: '.js' on relative imports, type-only imports of types, and no import
// of multiformats' CID where the lexicons use no cid-link (multiformats 9 ships no NodeNext types).
function toNodeNextEsm(src) {
  let out = src.replace(/(from\s+'|import\(')(\.{1,2}\/[^']*?)(?<!\.js)'/g, "$1$2.js'")
  out = out.replace(
    /import \{ HeadersMap, XRPCError \} from '@atproto\/xrpc'/,
    "import { type HeadersMap, XRPCError } from '@atproto/xrpc'",
  )
  const cidImport = "import { CID } from 'multiformats/cid'\n"
  const code = out
    .replace(cidImport, '')
    .split('\n')
    .filter((line) => !/^\s*(\/\*\*|\*|\/\/)/.test(line))
    .join('\n')
  if (out.includes(cidImport) && !/\bCID\b/.test(code)) out = out.replace(cidImport, '')
  return out
}

function statSafe(p) {
  try {
    return statSync(p)
  } catch {
    return undefined
  }
}
