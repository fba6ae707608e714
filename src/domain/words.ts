/**
 * Words for incident search, in any language, on top of the app's one
 * segmenter (src/domain/segment.ts, which runbook search uses too).
 *
 * Text in scripts written without spaces between words (Chinese, Japanese,
 * Korean, Thai, Lao, Khmer, Myanmar) is cut into words with `Intl.Segmenter`
 * (word granularity, ICU's dictionaries), so `停止` is found inside
 * `電源が停止しました`. Other text splits on spaces, punctuation and symbols,
 * which is much faster: a segmenter is used only for text that needs it.
 */

import { needsSegmenting, segmentWords as segmentAll, splitOnSeparators } from './segment'

/** A single character that is a word by itself (a kanji, a hangul syllable, a digit). */
const ONE_CHAR_WORD = /^[\p{N}\p{Script=Han}\p{Script=Hangul}]$/u
/** Lowercase ASCII letters and digits only: nothing to fold. */
const PLAIN = /^[a-z0-9]*$/

/** Small on purpose: words that match nearly every document and only bloat an index. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be by for from if in is it its of on or that the this to was will with'.split(' '),
)

/** True when `text` holds a script written without spaces (CJK, Thai…). */
export const hasUnspacedScript = needsSegmenting

/**
 * The words of `text`, as written (not lowercased): split on spaces,
 * punctuation and symbols, and cut with `Intl.Segmenter` (src/domain/segment.ts,
 * the app's one segmenter) only where the text holds an unspaced script, which
 * keeps spaced text fast. `Power-cycled B-2` → `Power`, `cycled`, `B`, `2`.
 */
export function segmentWords(text: string): string[] {
  return needsSegmenting(text) ? segmentAll(text) : splitOnSeparators(text)
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
    folded = needsSegmenting(folded)
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
