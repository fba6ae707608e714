/**
 * The one definition of how runbooks are indexed and searched. The build
 * (build/runbooks/search-index.ts) indexes with these options and the app
 * (src/runbooks/search.ts) loads the prebuilt index with the same ones:
 * `MiniSearch.loadJSON` needs the very tokenizer and term processing the index
 * was made with, or queries silently stop matching.
 *
 * Only types are imported from minisearch, so this module costs nothing in the
 * app's first chunk.
 *
 * Any language: words of scripts written without spaces (Chinese, Japanese,
 * Thai…) are cut by `segmentWords` (Intl.Segmenter) at index and at query
 * time alike; other words are split exactly as before, so English search
 * (prefix, typos, title boost) is unchanged.
 */
import type { Options, SearchOptions } from 'minisearch'
import { needsSegmenting, segmentWords } from '../domain/segment'

/** The document handed to MiniSearch (built from a CompiledRunbook). */
export interface RunbookSearchDoc {
  id: string
  title: string
  summary: string
  tags: string[]
  text: string
}

export const SEARCH_FIELDS = ['title', 'tags', 'summary', 'text'] as const

const SEPARATORS = /[\s\p{Z}\p{P}\p{S}]+/u
// `NodeFilesystemSpaceFillingUp` → Node, Filesystem, Space, Filling, Up; `RAIDDegraded` → RAID, Degraded.
const CAMEL_BOUNDARY = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u

// Small on purpose: words that match nearly every runbook and only bloat the index.
const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'if',
  'in',
  'is',
  'it',
  'its',
  'of',
  'on',
  'or',
  'that',
  'the',
  'this',
  'to',
  'was',
  'will',
  'with',
])

/** Words split on spaces and punctuation; a word in an unspaced script (`ネットワークが停止した`) is cut into its words. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  for (const word of text.split(SEPARATORS)) {
    if (word === '') continue
    if (needsSegmenting(word)) words.push(...segmentWords(word))
    else words.push(word)
  }
  return words
}

/** Index-time tokenizer: words, plus the parts of camel-cased words so `filesystem` finds `NodeFilesystemSpaceFillingUp`. */
export function tokenizeForIndex(text: string): string[] {
  const tokens: string[] = []
  for (const word of splitWords(text)) {
    tokens.push(word)
    const parts = word.split(CAMEL_BOUNDARY)
    if (parts.length > 1) tokens.push(...parts)
  }
  return tokens
}

// A single character that is a word on its own: a digit, a Chinese character (電), a Hangul syllable.
const ONE_CHARACTER_WORD = /^[\p{N}\p{Script=Han}\p{Script=Hangul}]$/u

/**
 * Lowercase, fold Latin accents (café → cafe), drop stop words and single
 * letters (a one-letter prefix matches everything). Only the combining
 * accents of U+0300–U+036F are dropped, then the rest is recomposed: Japanese
 * voiced kana (ガ) and Thai vowel and tone marks are part of the letter.
 * Single kana (の, を: particles) are dropped like single Latin letters.
 */
export function processTerm(term: string): string | null {
  const folded = term
    .normalize('NFD')
    .replace(/[\u0300-\u036f]+/g, '')
    .normalize('NFC')
    .toLowerCase()
  if (folded.length < 2 && !ONE_CHARACTER_WORD.test(folded)) return null
  if (STOP_WORDS.has(folded)) return null
  return folded
}

/** Query options: prefix so results appear while typing, fuzzy for typos on a phone. */
export const SEARCH_OPTIONS: SearchOptions = {
  boost: { title: 3, tags: 2 },
  prefix: true,
  // A typo in a two- or three-character Chinese or Japanese word is another word: exact (and prefix) only there.
  fuzzy: (term) => (needsSegmenting(term) ? false : 0.2),
  // Two typos are plenty; more lets a long word like `prometheusoperatorlisterrors` match unrelated
  // runbooks and makes the query walk much more of the index.
  maxFuzzy: 2,
  combineWith: 'AND',
  // Queries are not camel-split: `etcdNoLeader` typed as one word should match the title as a whole.
  tokenize: splitWords,
  processTerm,
}

export const INDEX_OPTIONS: Options<RunbookSearchDoc> = {
  idField: 'id',
  fields: [...SEARCH_FIELDS],
  // Hits are joined with the catalog by id; storing fields would only duplicate it in the index file.
  storeFields: [],
  tokenize: tokenizeForIndex,
  processTerm,
  // Every field of a RunbookSearchDoc is a string or a list of strings (tags).
  stringifyField: (value: unknown) => (Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : ''),
  searchOptions: SEARCH_OPTIONS,
}

/** Only the indexed fields: a CompiledRunbook also carries HTML that must not reach MiniSearch. */
export function toSearchDoc(runbook: RunbookSearchDoc): RunbookSearchDoc {
  return { id: runbook.id, title: runbook.title, summary: runbook.summary, tags: runbook.tags, text: runbook.text }
}
