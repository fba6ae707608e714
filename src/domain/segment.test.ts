import { describe, expect, it } from 'vitest'
import { needsSegmenting, segmentWords } from './segment'

describe('segmentWords', () => {
  it('finds the words inside Japanese, Chinese and Thai sentences', () => {
    expect(segmentWords('建物間のネットワークが停止した場合の手順です。')).toEqual(
      expect.arrayContaining(['ネットワーク', '停止', '手順']),
    )
    expect(segmentWords('コアスイッチの電源とアップリンクを確認する。')).toEqual(
      expect.arrayContaining(['スイッチ', '電源', '確認']),
    )
    expect(segmentWords('监控显示核心交换机停止响应')).toEqual(expect.arrayContaining(['停止', '核心']))
    expect(segmentWords('ตรวจสอบสวิตช์หลักและไฟเลี้ยง')).toEqual(expect.arrayContaining(['สวิตช์', 'หลัก']))
  })

  it('drops spaces and punctuation and keeps other languages word by word', () => {
    expect(segmentWords('Check the uplink, then ping it.')).toEqual(['Check', 'the', 'uplink', 'then', 'ping', 'it'])
    expect(segmentWords('코어 스위치의 전원을 확인한다')).toEqual(['코어', '스위치의', '전원을', '확인한다'])
    expect(segmentWords('DHCPサーバーが停止')).toEqual(['DHCP', 'サーバー', 'が', '停止'])
    expect(segmentWords('')).toEqual([])
  })

  it('takes a locale, and survives an invalid one', () => {
    expect(segmentWords('電源を確認', 'ja')).toEqual(['電源', 'を', '確認'])
    expect(segmentWords('電源を確認', 'not a locale!')).toEqual(['電源', 'を', '確認'])
  })

  it('says which text needs it', () => {
    expect(needsSegmenting('停止')).toBe(true)
    expect(needsSegmenting('สวิตช์')).toBe(true)
    expect(needsSegmenting('Café NodeRAIDDegraded 802.1X')).toBe(false)
  })
})
