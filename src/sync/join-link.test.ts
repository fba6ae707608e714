import { describe, expect, it } from 'vitest'
import { nameFromFragment, normalizeServerUrl, parseJoinLink, tokenFromFragment } from './join-link'

const TOKEN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_-01234'
const APP = 'https://cp.school.example'

describe('join links', () => {
  it('reads the token from a #/join?token= fragment only', () => {
    expect(tokenFromFragment(`#/join?token=${TOKEN}`)).toBe(TOKEN)
    expect(tokenFromFragment(`#/join?x=1&token=${TOKEN}`)).toBe(TOKEN)
    expect(tokenFromFragment('#/join?token=short')).toBeNull()
    expect(tokenFromFragment(`#/other?token=${TOKEN}`)).toBeNull()
    expect(tokenFromFragment('')).toBeNull()
  })

  it('takes the server from the link: empty for the app’s own origin, the origin otherwise', () => {
    expect(parseJoinLink(`${APP}/#/join?token=${TOKEN}`, APP)).toEqual({
      ok: true,
      value: { serverUrl: '', token: TOKEN },
    })
    expect(parseJoinLink(`  http://10.0.0.5:8080/#/join?token=${TOKEN}\n`, APP)).toEqual({
      ok: true,
      value: { serverUrl: 'http://10.0.0.5:8080', token: TOKEN },
    })
    expect(parseJoinLink(TOKEN, APP)).toEqual({ ok: true, value: { serverUrl: '', token: TOKEN } })
  })

  it('explains what is wrong with a link that will not do', () => {
    const noToken = parseJoinLink(`${APP}/#/join`, APP)
    expect(noToken.ok ? '' : noToken.reason).toMatch(/no access token/)
    const notLink = parseJoinLink('hello there', APP)
    expect(notLink.ok ? '' : notLink.reason).toMatch(/Paste the whole join link/)
    const ftp = parseJoinLink(`ftp://x.example/#/join?token=${TOKEN}`, APP)
    expect(ftp.ok).toBe(false)
  })

  it('normalizes a typed server address', () => {
    expect(normalizeServerUrl('', APP)).toEqual({ ok: true, value: '' })
    expect(normalizeServerUrl(`${APP}/`, APP)).toEqual({ ok: true, value: '' })
    expect(normalizeServerUrl('https://sync.example/cp/', APP)).toEqual({ ok: true, value: 'https://sync.example/cp' })
    expect(normalizeServerUrl('sync.example', APP).ok).toBe(false)
    const withUser = normalizeServerUrl('https://me:secret@sync.example', APP)
    expect(withUser.ok ? '' : withUser.reason).toMatch(/own field/)
  })
})

describe('the name in a join link', () => {
  it('reads the person the token was issued for from the fragment', () => {
    expect(nameFromFragment(`#/join?token=${TOKEN}&name=Dana%20Scully`)).toBe('Dana Scully')
    expect(nameFromFragment(`#/join?token=${TOKEN}&name=%20%E2%80%8B%20`)).toBeNull()
    expect(nameFromFragment(`#/join?token=${TOKEN}&name=${'x'.repeat(81)}`)).toBeNull()
    expect(nameFromFragment(`#/join?token=${TOKEN}`)).toBeNull()
    expect(parseJoinLink(`${APP}/#/join?token=${TOKEN}&name=Lee`, APP)).toEqual({
      ok: true,
      value: { serverUrl: '', token: TOKEN, name: 'Lee' },
    })
  })
})
