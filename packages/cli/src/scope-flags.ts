import type { ScopeInput } from '@donottrain/client'
import { isPurpose, PURPOSES, type Purpose } from '@donottrain/lexicon'
import { type Command, InvalidArgumentError } from 'commander'
import { UsageError } from './io.js'

export interface ScopeFlags {
  post?: string
  collection?: string
  origin?: string
}

/** --post / --collection / --origin: at most one; none means the whole account. */
export function scopeOptions(cmd: Command, verb: string): Command {
  return cmd
    .option('--post <uri>', `${verb} one of your posts (at:// URI or https://bsky.app/... URL)`)
    .option('--collection <nsid>', `${verb} a whole collection, e.g. app.bsky.feed.post`)
    .option('--origin <origin>', `${verb} a web origin you own, e.g. https://example.com`)
}

export function scopeFromFlags(flags: ScopeFlags): ScopeInput {
  const given = (['post', 'collection', 'origin'] as const).filter((k) => flags[k] !== undefined)
  if (given.length > 1) throw new UsageError(`choose one scope, not ${given.map((k) => `--${k}`).join(' and ')}`)
  if (flags.post !== undefined) return { type: 'record', uri: flags.post }
  if (flags.collection !== undefined) return { type: 'collection', collection: flags.collection }
  if (flags.origin !== undefined) return { type: 'origin', origin: flags.origin }
  return { type: 'account' }
}

export function describeScope(scope: ScopeInput): string {
  switch (scope.type) {
    case 'account':
      return 'account-wide'
    case 'record':
      return `record ${scope.uri}`
    case 'collection':
      return `collection ${scope.collection}`
    case 'origin':
      return `origin ${scope.origin}`
  }
}

/** Parses one or more purposes (space- or comma-separated, or 'all') into a list. */
export function collectPurposes(value: string, previous: Purpose[] | undefined): Purpose[] {
  const out = [...(previous ?? [])]
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue
    if (part === 'all') out.push(...PURPOSES)
    else if (isPurpose(part)) out.push(part)
    else throw new InvalidArgumentError(`unknown purpose "${part}" (purposes: ${PURPOSES.join(', ')}, or all)`)
  }
  return out
}
