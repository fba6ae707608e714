/**
 * Words of a text, in any language. Chinese, Japanese and Thai are written
 * without spaces between words, so splitting on spaces and punctuation leaves
 * whole sentences as one "word" and no search can find 停止 inside
 * 建物間のネットワークが停止した場合. `Intl.Segmenter` (ICU's dictionaries, in
 * Node and in every current browser) finds the words; search uses it at index
 * time (the build) and at query time (the phone), so both sides cut the same way.
 *
 * Pure: no DOM, no storage; the same code runs in the build, the server and the app.
 */

/**
 * Scripts written without spaces between words (or, for Korean, with particles
 * glued to the word): Han, Hiragana, Katakana, Hangul, Thai, Lao, Khmer, Myanmar.
 */
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
const SEPARATORS = /[\s\p{Z}\p{P}\p{S}]+/u

/** The words of spaced text: split on spaces, punctuation and symbols (`Power-cycled B-2` → `Power`, `cycled`, `B`, `2`). */
export function splitOnSeparators(text: string): string[] {
  return text.split(SEPARATORS).filter((word) => word !== '')
}

/** True when `text` holds a character of a script written without spaces: only then is segmenting worth its cost. */
export function needsSegmenting(text: string): boolean {
  return UNSPACED_SCRIPT.test(text)
}

const segmenters = new Map<string, Intl.Segmenter | null>()

/** One segmenter per locale, made once (construction costs far more than a segment call); null where the API is missing. */
function segmenterFor(locale: string | undefined): Intl.Segmenter | null {
  const key = locale ?? ''
  let segmenter = segmenters.get(key)
  if (segmenter === undefined) {
    try {
      segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(locale, { granularity: 'word' }) : null
    } catch {
      // An invalid locale tag (RangeError): the default locale's rules still find CJK and Thai words.
      segmenter = locale === undefined ? null : segmenterFor(undefined)
    }
    segmenters.set(key, segmenter)
  }
  return segmenter
}

/**
 * The words of `text`, in order, without spaces or punctuation:
 * `segmentWords('コアスイッチの電源を確認する')` →
 * `['コア', 'スイッチ', 'の', '電源', 'を', '確認', 'する']`.
 * `locale` (a BCP 47 tag) only refines the rules; CJK and Thai are found
 * with any. Where `Intl.Segmenter` is missing (browsers before 2024 for
 * Firefox) the text is split on spaces and punctuation only. Never throws.
 */
export function segmentWords(text: string, locale?: string): string[] {
  const segmenter = segmenterFor(locale)
  if (!segmenter) return splitOnSeparators(text)
  const words: string[] = []
  for (const { segment, isWordLike } of segmenter.segment(text)) if (isWordLike) words.push(segment)
  return words
}
