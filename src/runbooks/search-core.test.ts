import { resolve } from 'node:path'
import MiniSearch from 'minisearch'
import { describe, expect, it } from 'vitest'
import { collectRunbooks, toMeta } from '../../build/runbooks/collect'
import { buildSearchIndex } from '../../build/runbooks/search-index'
import { createRunbookQuery } from './search-core'
import { INDEX_OPTIONS, processTerm, tokenizeForIndex } from './search-options'

// The starter runbooks, indexed at "build time", serialised, and loaded the way the app loads them.
const { runbooks } = collectRunbooks(resolve(import.meta.dirname, '../../runbooks'))
const index = MiniSearch.loadJSON(JSON.stringify(buildSearchIndex(runbooks)), INDEX_OPTIONS)
const search = createRunbookQuery(index, runbooks.map(toMeta))
const ids = (query: string, limit?: number) => search(query, limit).map((hit) => hit.id)

describe('runbook search', () => {
  it('ranks title matches first', () => {
    expect(ids('switch')[0]).toBe('switch-down')
    expect(ids('dhcp')[0]).toBe('dhcp-scope-exhausted')
    expect(ids('roles')[0]).toBe('roles-quick-card')
  })

  it('matches prefixes while typing', () => {
    expect(ids('dhc')[0]).toBe('dhcp-scope-exhausted')
    expect(ids('compro')[0]).toBe('account-compromise')
  })

  it('forgives typos', () => {
    expect(ids('swich')).toContain('switch-down')
    expect(ids('authentcation')).toContain('wifi-auth-failing')
  })

  it('searches tags, body text and commands', () => {
    expect(ids('radius')[0]).toBe('wifi-auth-failing')
    expect(ids('802.1x')).toContain('wifi-auth-failing')
    expect(ids('show interfaces status')).toEqual(expect.arrayContaining(['switch-down', 'campus-network-outage']))
    expect(ids('paging')[0]).toBe('phones-paging-bells-down')
  })

  it('narrows with every word, and falls back to any word when nothing has them all', () => {
    const both = ids('dhcp lease')
    expect(both.length).toBeLessThanOrEqual(ids('lease').length)
    expect(both[0]).toBe('dhcp-scope-exhausted')
    expect(ids('bells zzzzqqqq')).toContain('phones-paging-bells-down')
  })

  it('puts an exact title first', () => {
    expect(search('Switch down in a closet')[0]?.id).toBe('switch-down')
    expect(search('running an incident with command post')[0]?.id).toBe('running-an-incident')
  })

  it('returns catalog entries with score and matched terms, limited', () => {
    const [hit] = search('switch', 1)
    expect(hit).toMatchObject({
      id: 'switch-down',
      title: 'Switch down in a closet',
      stepCount: expect.any(Number) as number,
    })
    expect(hit?.score).toBeGreaterThan(0)
    expect(hit?.terms).toContain('switch')
    expect(search('network', 2)).toHaveLength(2)
  })

  it('answers nothing for blank queries, stop words and unknown words', () => {
    expect(search('')).toEqual([])
    expect(search('   ')).toEqual([])
    expect(search('the')).toEqual([])
    expect(search('xylophonequartz')).toEqual([])
  })

  it('skips index entries the catalog does not know', () => {
    const partial = createRunbookQuery(index, runbooks.filter((r) => r.id !== 'switch-down').map(toMeta))
    expect(partial('switch').map((h) => h.id)).not.toContain('switch-down')
  })
})

describe('search options', () => {
  it('split camel-cased words so parts are searchable', () => {
    expect(tokenizeForIndex('NodeFilesystemSpaceFillingUp')).toEqual([
      'NodeFilesystemSpaceFillingUp',
      'Node',
      'Filesystem',
      'Space',
      'Filling',
      'Up',
    ])
    expect(tokenizeForIndex('NodeRAIDDegraded etcdNoLeader')).toEqual([
      'NodeRAIDDegraded',
      'Node',
      'RAID',
      'Degraded',
      'etcdNoLeader',
      'etcd',
      'No',
      'Leader',
    ])
    expect(tokenizeForIndex('show ip dhcp-snooping, 802.1X')).toEqual(['show', 'ip', 'dhcp', 'snooping', '802', '1X'])
  })

  it('fold case and accents, drop stop words and single letters', () => {
    expect(processTerm('Café')).toBe('cafe')
    expect(processTerm('THE')).toBeNull()
    expect(processTerm('a')).toBeNull()
    expect(processTerm('x')).toBeNull()
    expect(processTerm('7')).toBe('7')
  })
})
