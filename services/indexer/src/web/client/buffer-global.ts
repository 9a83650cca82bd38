/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The client library's text helpers use Node's Buffer; the page provides the `buffer` package's
// (the bundler maps this import to it). Imported first by the page script, before the library.
import { Buffer } from 'buffer'

globalThis.Buffer ??= Buffer
