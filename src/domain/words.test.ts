import { describe, expect, it } from 'vitest'
import { foldWord, hasUnspacedScript, searchTerms, segmentWords } from './words'

describe('segmentWords', () => {
  it('splits spaced text on spaces, punctuation and symbols, as written', () => {
    expect(segmentWords('Power-cycled switch B-2, twice.')).toEqual(['Power', 'cycled', 'switch', 'B', '2', 'twice'])
  })

  it('cuts Japanese, Chinese, Korean and Thai sentences into words (Intl.Segmenter)', () => {
    // From the field note shared/field/cjk-ja.md, copied so the test reads no file outside the repository.
    const ja = segmentWords('コアスイッチの電源とアップリンクを確認する。')
    expect(ja).toContain('電源')
    expect(ja).toContain('確認')
    expect(segmentWords('建物間のネットワークが停止した場合の手順です。')).toContain('停止')
    expect(segmentWords('网络中断了，请检查交换机')).toContain('检查')
    expect(segmentWords('สวิตช์หลักดับ')).toContain('สวิตช์')
    expect(hasUnspacedScript('電源')).toBe(true)
    expect(hasUnspacedScript('switch')).toBe(false)
  })
})

describe('foldWord', () => {
  it('lowercases and folds accents; drops stop words and single letters', () => {
    expect(foldWord('Café')).toBe('cafe')
    expect(foldWord('ÉCOLE')).toBe('ecole')
    expect(foldWord('The')).toBeNull()
    expect(foldWord('b')).toBeNull()
  })

  it('keeps one-character words of CJK and digits, and the marks of kana', () => {
    expect(foldWord('雨')).toBe('雨')
    expect(foldWord('1')).toBe('1')
    expect(foldWord('ダウン')).toBe('ダウン')
    expect(foldWord('ダウン')).not.toBe(foldWord('タウン'))
  })
})

describe('searchTerms', () => {
  it('is segmentWords then foldWord', () => {
    expect(searchTerms('The core switch in HS-1 is DOWN')).toEqual(['core', 'switch', 'hs', '1', 'down'])
  })
})
