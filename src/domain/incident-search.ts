/**
 * How incidents are searched on the phone: the document made from a folded
 * incident, and the tokenizer and term processing used both when indexing and
 * when querying (MiniSearch needs the same ones on both sides, or queries
 * silently stop matching).
 *
 * Only types come from minisearch: this module costs nothing in the first
 * screen's chunks; the index itself (incident-search-index.ts) loads later.
 */
import type { Options, SearchOptions } from 'minisearch'
import type { IncidentState } from './fold'

/** One incident as MiniSearch sees it: every field is plain text. */
export interface IncidentSearchDoc {
  id: string
  title: string
  summary: string
  location: string
  /** Every log entry's text (and its original wording, if amended). */
  log: string
  /** Every change: system, what was done and how to revert it. */
  changes: string
  /** Every stakeholder update's body and audience. */
  updates: string
  /** Every task's text and owner. */
  tasks: string
}

export const INCIDENT_SEARCH_FIELDS = ['title', 'summary', 'location', 'log', 'changes', 'updates', 'tasks'] as const

/** The searchable text of a folded incident. Pure; cost is linear in the incident's entries. */
export function incidentSearchDoc(state: IncidentState): IncidentSearchDoc {
  const log: string[] = []
  for (const e of state.entries.values()) {
    log.push(e.text)
    if (e.originalText !== e.text) log.push(e.originalText)
  }
  const changes: string[] = []
  for (const c of state.changes.values()) changes.push(c.system, c.what, c.revert)
  const tasks: string[] = []
  for (const t of state.tasks.values()) tasks.push(t.owner ? `${t.text}\n${t.owner}` : t.text)
  return {
    id: state.id,
    title: state.title,
    summary: state.summary,
    location: state.location,
    log: log.join('\n'),
    changes: changes.join('\n'),
    updates: state.updates.map((u) => (u.audience ? `${u.body}\n${u.audience}` : u.body)).join('\n'),
    tasks: tasks.join('\n'),
  }
}

const SEPARATORS = /[\s\p{Z}\p{P}\p{S}]+/u
/** Scripts written without spaces between words: a dictionary segmenter finds the words. */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
/** A single character that is a word by itself (a kanji, a hangul syllable, a digit). */
const ONE_CHAR_WORD = /^[\p{N}\p{Script=Han}\p{Script=Hangul}]$/u

// Small on purpose: words that match nearly every incident and only bloat the index.
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

let segmenter: Intl.Segmenter | null | undefined

function wordSegmenter(): Intl.Segmenter | null {
  // Created once: building one loads ICU's dictionaries. Missing on very old browsers: then words split on spaces only.
  segmenter ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null
  return segmenter
}

/**
 * Words of `text`, for indexing and for queries alike. Text in scripts written
 * without spaces (Chinese, Japanese, Korean, Thai…) is cut into words with
 * `Intl.Segmenter` (word granularity), so `停止` is found inside
 * `電源が停止しました`; other text splits on spaces, punctuation and symbols, as before.
 */
export function tokenizeIncidentText(text: string): string[] {
  const seg = UNSPACED.test(text) ? wordSegmenter() : null
  if (!seg) return text.split(SEPARATORS).filter((word) => word !== '')
  const words: string[] = []
  for (const s of seg.segment(text)) if (s.isWordLike) words.push(s.segment)
  return words
}

/**
 * Lowercase and fold accents (Latin, Greek, Cyrillic…); drop stop words and
 * single letters, which as a prefix would match everything. Unspaced scripts
 * keep their marks (folding would merge kana such as ダ and タ) and their
 * one-character words.
 */
export function processIncidentTerm(term: string): string | null {
  const unspaced = UNSPACED.test(term)
  const folded = unspaced
    ? term.normalize('NFC').toLowerCase()
    : term
        .normalize('NFD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
  if (folded.length < 2 && !ONE_CHAR_WORD.test(folded)) return null
  if (STOP_WORDS.has(folded)) return null
  return folded
}

/** Query options: prefix so results come while typing, fuzzy for a phone's typos, title weighs most. */
export const INCIDENT_SEARCH_OPTIONS: SearchOptions = {
  boost: { title: 3, location: 1.5, summary: 1.5 },
  prefix: true,
  fuzzy: 0.2,
  maxFuzzy: 2,
  combineWith: 'AND',
  tokenize: tokenizeIncidentText,
  processTerm: processIncidentTerm,
}

export const INCIDENT_INDEX_OPTIONS: Options<IncidentSearchDoc> = {
  idField: 'id',
  fields: [...INCIDENT_SEARCH_FIELDS],
  // Hits are joined with the store's incidents by id: storing fields would duplicate every log in memory.
  storeFields: [],
  tokenize: tokenizeIncidentText,
  processTerm: processIncidentTerm,
  searchOptions: INCIDENT_SEARCH_OPTIONS,
}
