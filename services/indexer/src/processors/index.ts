import { declarationProcessor } from './declaration.js'
import { preferenceAiProcessor, userIntentsProcessor } from './foreign.js'
import { postTagProcessor } from './post-tag.js'
import { profileTagProcessor } from './profile-tag.js'
import type { Processor } from './types.js'

export const PROCESSORS: readonly Processor[] = [
  declarationProcessor,
  postTagProcessor,
  profileTagProcessor,
  userIntentsProcessor,
  preferenceAiProcessor,
]

/** Processor per collection; commits touching none of these are not declaration-relevant. */
export const PROCESSOR_BY_COLLECTION: ReadonlyMap<string, Processor> = new Map(PROCESSORS.map((p) => [p.collection, p]))
export { PREFERENCE_AI_MAPPING, USER_INTENTS_MAPPING } from './foreign.js'
export type { Extracted, Processor, RecordContext, SourceKind } from './types.js'
