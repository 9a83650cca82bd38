import type { Purpose } from '@donottrain/lexicon'

/** Each purpose in plain words, for people (the lexicon's field names are for programs). */
export const PURPOSE_WORDS: Record<Purpose, { label: string; detail: string }> = {
  trainAi: {
    label: 'Training AI models',
    detail: 'training or fine-tuning any AI or machine-learning model, classifiers and embeddings included',
  },
  trainGenai: { label: 'Training generative AI', detail: 'training models that generate text, images, sound or video' },
  aiInput: {
    label: 'Use as AI input',
    detail: 'feeding the content to an AI when it answers (search answers, summaries, RAG)',
  },
  search: { label: 'Search indexing', detail: 'search engines that index the content and link back to it' },
}

/** A verdict or preference value in plain words. */
export function valueWords(value: string | undefined): { word: string; css: 'deny' | 'allow' | 'unknown' } {
  if (value === 'deny') return { word: 'Not allowed', css: 'deny' }
  if (value === 'allow') return { word: 'Allowed', css: 'allow' }
  return { word: 'No statement', css: 'unknown' }
}

/** Where a declaration was read from, in plain words. */
export const SOURCE_WORDS: Record<string, string> = {
  declaration: 'A #donottrain declaration record',
  postTag: '#donottrain in a post',
  profileTag: '#donottrain in the profile bio',
  userIntents: 'A user-intents declaration (Bluesky proposal 0008)',
  preferenceAi: 'An AI preference record (community lexicon)',
}
