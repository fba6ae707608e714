/**
 * Search in languages written without spaces, through the app's path (build
 * the index, serialise, load with the shared options, query), with the field
 * input ../shared/field/cjk-ja.md read in place. The English quality checks
 * stay in search-core.test.ts and the corpus test.
 */
import { resolve } from 'node:path'
import MiniSearch from 'minisearch'
import { describe, expect, it } from 'vitest'
import { collectRunbooks, toMeta } from '../../build/runbooks/collect'
import { buildSearchIndex } from '../../build/runbooks/search-index'
import { readFieldFile } from '../../tests/fixtures/field'
import { compileRunbook } from './compile'
import { createRunbookQuery } from './search-core'
import { INDEX_OPTIONS, processTerm, tokenizeForIndex } from './search-options'

const { runbooks: starters } = collectRunbooks(resolve(import.meta.dirname, '../../runbooks'))
const others = [
  compileRunbook(readFieldFile('cjk-ja.md'), 'ja/core-switch-down.md'),
  compileRunbook(
    '---\ntitle: 核心交换机故障\ntags: [网络]\n---\n\n- [ ] 检查核心交换机的电源和上行链路。\n',
    'zh/core-switch.md',
  ),
  compileRunbook('---\ntitle: สวิตช์หลักล่ม\n---\n\n- [ ] ตรวจสอบสวิตช์หลักและไฟเลี้ยง\n', 'th/core-switch.md'),
  compileRunbook('---\ntitle: 코어 스위치 장애\n---\n\n- [ ] 코어 스위치의 전원을 확인한다\n', 'ko/core-switch.md'),
]
const all = [...starters, ...others]
const index = MiniSearch.loadJSON(JSON.stringify(buildSearchIndex(all)), INDEX_OPTIONS)
const search = createRunbookQuery(index, all.map(toMeta))
const ids = (query: string) => search(query).map((hit) => hit.id)

describe('runbook search in languages written without spaces', () => {
  it('finds words inside the Japanese field runbook: 停止 and 電源', () => {
    // 停止 is in the title too (ranked first), 電源 only in a step.
    expect(ids('停止')[0]).toBe('ja/core-switch-down')
    expect(ids('電源')).toContain('ja/core-switch-down')
    expect(ids('ネットワーク')).toContain('ja/core-switch-down')
  })

  it('narrows with several words typed without a space, and matches prefixes', () => {
    expect(ids('電源確認')).toEqual(['ja/core-switch-down'])
    expect(ids('アップ')).toContain('ja/core-switch-down')
    expect(ids('電')).toContain('ja/core-switch-down') // one character, a prefix of 電源
    expect(ids('停電')).toEqual([]) // a different word: no fuzzy match on two characters
  })

  it('finds Chinese, Thai and Korean words inside sentences', () => {
    expect(ids('电源')).toContain('zh/core-switch')
    expect(ids('上行')).toContain('zh/core-switch')
    expect(ids('ไฟเลี้ยง')).toContain('th/core-switch')
    expect(ids('스위치')).toEqual(expect.arrayContaining(['ko/core-switch']))
    expect(ids('전원')).toContain('ko/core-switch') // 전원을: the particle is glued on, a prefix finds it
  })

  it('keeps English as it was among them', () => {
    expect(ids('swich')).toContain('switch-down')
    expect(ids('dhc')[0]).toBe('dhcp-scope-exhausted')
    expect(search('Switch down in a closet')[0]?.id).toBe('switch-down')
  })

  it('tokenizes English exactly as before, and keeps kana and Thai marks intact', () => {
    expect(tokenizeForIndex('show ip dhcp-snooping, 802.1X')).toEqual(['show', 'ip', 'dhcp', 'snooping', '802', '1X'])
    expect(processTerm('ガ')).toBeNull() // a single kana is a particle, like a single Latin letter
    expect(processTerm('データベース')).toBe('データベース') // voiced marks stay: バ is not ハ
    expect(processTerm('เลี้ยง')).toBe('เลี้ยง')
    expect(processTerm('電')).toBe('電')
    expect(processTerm('Crème')).toBe('creme')
  })
})
