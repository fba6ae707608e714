/**
 * Words for search, in any language: the one segmenter of the app. Incident
 * search (incident-search.ts) uses it; runbook search (#16) is meant to use the
 * same functions, at index time and at query time alike.
 *
 * Text in scripts written without spaces between words (Chinese, Japanese,
 * Korean, Thai, Lao, Khmer, Myanmar) is cut into words with `Intl.Segmenter`
 * (word granularity, ICU's dictionaries), so `停止` is found inside
 * `電源が停止しました`. Other text splits on spaces, punctuation and symbols,
 * which is much faster: a segmenter is used only for text that needs it.
 */

/** Spaces, punctuation and symbols: word boundaries in spaced scripts. */
const SEPARATORS = /[\s\p{Z}\p{P}\p{S}]+/u
/** Scripts written without spaces between words: a dictionary segmenter finds the words. */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
/** A single character that is a word by itself (a kanji, a hangul syllable, a digit). */
const ONE_CHAR_WORD = /^[\p{N}\p{Script=Han}\p{Script=Hangul}]$/u
/** Lowercase ASCII letters and digits only: nothing to fold. */
const PLAIN = /^[a-z0-9]*$/

/** Small on purpose: words that match nearly every document and only bloat an index. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be by for from if in is it its of on or that the this to was will with'.split(' '),
)

let segmenter: Intl.Segmenter | null | undefined

function wordSegmenter(): Intl.Segmenter | null {
  // Created once: building one loads ICU's dictionaries. Missing on very old browsers: then words split on spaces only.
  segmenter ??= typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null
  return segmenter
}

/** True when `text` holds a script written without spaces (CJK, Thai…). */
export function hasUnspacedScript(text: string): boolean {
  return UNSPACED.test(text)
}

/**
 * The words of `text`, as written (not lowercased): split on spaces,
 * punctuation and symbols, and cut with `Intl.Segmenter` where the text holds
 * an unspaced script. `Power-cycled B-2` → `Power`, `cycled`, `B`, `2`.
 */
export function segmentWords(text: string): string[] {
  const seg = UNSPACED.test(text) ? wordSegmenter() : null
  if (!seg) return text.split(SEPARATORS).filter((word) => word !== '')
  const words: string[] = []
  for (const s of seg.segment(text)) if (s.isWordLike) words.push(s.segment)
  return words
}

/**
 * A word as an index stores it, or null to leave it out: lowercased, accents
 * folded (Latin, Greek, Cyrillic…: `Café` → `cafe`); stop words and single
 * letters dropped (as a prefix one letter would match everything). Unspaced
 * scripts keep their marks (folding would merge kana such as ダ and タ) and
 * their one-character words (`雨`). Digits alone are kept (`1` of `HS-1`).
 */
export function foldWord(word: string): string | null {
  let folded = word.toLowerCase()
  if (!PLAIN.test(folded)) {
    folded = UNSPACED.test(folded)
      ? folded.normalize('NFC')
      : folded
          .normalize('NFD')
          .replace(/\p{M}+/gu, '')
          .normalize('NFC')
  }
  if (folded.length < 2 && !ONE_CHAR_WORD.test(folded)) return null
  if (STOP_WORDS.has(folded)) return null
  return folded
}

/** `segmentWords` then `foldWord`, duplicates kept, in order. */
export function searchTerms(text: string): string[] {
  const out: string[] = []
  for (const word of segmentWords(text)) {
    const term = foldWord(word)
    if (term !== null) out.push(term)
  }
  return out
}
