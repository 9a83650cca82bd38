import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where scripts/build-web.mjs writes the page bundles (the same from src/web and dist/web). */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/web/assets/', import.meta.url))

const NAME = /^(check|publish)\.js(\.map)?$|^(check|publish)\.js\.LEGAL\.txt$/
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
}

export type Asset = { ok: true; body: Buffer; type: string } | { ok: false; status: 404 | 503; message: string }

/** One built page bundle by name; only the names the build writes are served. */
export async function readAsset(dir: string, name: string): Promise<Asset> {
  if (!NAME.test(name)) return { ok: false, status: 404, message: 'not found' }
  try {
    const body = await readFile(join(dir, name))
    return { ok: true, body, type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream' }
  } catch {
    return {
      ok: false,
      status: 503,
      message: 'page scripts are not built: run `node services/indexer/scripts/build-web.mjs`',
    }
  }
}
