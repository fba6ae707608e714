/** Status links: made, read without an access token, withdrawn; only the public part ever leaves. */
import { afterEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/events'
import { formatHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import { makeEvent } from '../../tests/fixtures/events'
import { IncidentProjection } from '../incidents/projection'
import { openSqliteStore } from '../store/sqlite'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTestApp, fakeDist, tempDir, type TestApp } from '../test-support'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const DANA: Actor = { id: 'dana-phone', name: 'Dana Whitfield' }
const apps: TestApp[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

async function statusApp(teamPage = false): Promise<TestApp & { projection: IncidentProjection }> {
  const store = openSqliteStore(':memory:')
  const projection = new IncidentProjection({ store, pollMs: 0 })
  await projection.start()
  const t = await createTestApp({
    store,
    incidents: projection,
    statusPage: { teamPage, refreshSeconds: 5 },
    publicUrl: 'https://cp.district.example',
    // The events below are stamped in November 2026.
    now: () => T0 + 60 * 60_000,
  })
  apps.push(t)
  return Object.assign(t, { projection })
}

const at = (ms: number) => ({
  hlc: formatHlc({ ms, counter: 0, node: DANA.id }),
  at: new Date(ms).toISOString(),
  actor: DANA,
})

/** An incident with everything a status page must not show, and two updates. */
function incident(id = newId(), severity = 2, title = 'Gym Wi-Fi down') {
  const taskId = newId()
  return [
    makeEvent(
      'incident.declared',
      { title, severity, summary: 'SECRET-SUMMARY', location: 'SECRET-LOCATION' },
      { incidentId: id, ...at(T0) },
    ),
    makeEvent(
      'log.entry',
      { text: 'SECRET-LOG admin password reset', kind: 'action' },
      { incidentId: id, ...at(T0 + 1000) },
    ),
    makeEvent(
      'role.assigned',
      { role: 'ops', person: { name: 'SECRET-PERSON' } },
      { incidentId: id, ...at(T0 + 2000) },
    ),
    makeEvent(
      'change.made',
      { changeId: newId(), system: 'SECRET-SYSTEM', what: 'x', revert: 'y' },
      { incidentId: id, ...at(T0 + 3000) },
    ),
    makeEvent('task.added', { taskId, text: 'SECRET-TASK', kind: 'other' }, { incidentId: id, ...at(T0 + 4000) }),
    makeEvent(
      'update.posted',
      { body: 'First update', audience: 'SECRET-AUDIENCE' },
      { incidentId: id, ...at(T0 + 5 * 60_000) },
    ),
    makeEvent(
      'incident.status',
      { status: 'mitigated', note: 'SECRET-NOTE' },
      { incidentId: id, ...at(T0 + 10 * 60_000) },
    ),
    makeEvent('update.posted', { body: 'Second update' }, { incidentId: id, ...at(T0 + 15 * 60_000) }),
  ]
}

async function push(t: TestApp, events: unknown[]) {
  const res = await t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: { events } })
  expect(res.json().accepted).toHaveLength(events.length)
}

async function makeLink(t: TestApp, body: object, auth = t.auth) {
  return t.app.inject({ method: 'POST', url: '/api/status-links', headers: auth, payload: body })
}

const read = (t: TestApp, link: string | undefined) =>
  t.app.inject({
    method: 'GET',
    url: '/api/status',
    headers: link === undefined ? {} : { authorization: `Bearer ${link.split('#')[1]}` },
  })

describe('status links', () => {
  it('show one incident’s title, status, severity, lifecycle times and updates newest first — nothing else', async () => {
    const t = await statusApp()
    const events = incident()
    const id = events[0]!.incidentId
    await push(t, events)
    const made = await makeLink(t, { incidentId: id })
    expect(made.statusCode).toBe(200)
    const { link, info } = made.json()
    expect(link).toMatch(/^https:\/\/cp\.district\.example\/status#[A-Za-z0-9_-]{43}$/)
    expect(info).toMatchObject({ incidentId: id, createdBy: 'Tester', revokedAt: null })

    const res = await read(t, link)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.json()).toEqual({
      kind: 'incident',
      incident: {
        id,
        title: 'Gym Wi-Fi down',
        status: 'mitigated',
        severity: 2,
        declaredMs: T0,
        mitigatedMs: T0 + 10 * 60_000,
        resolvedMs: null,
        updates: [
          { id: events[7]!.id, postedMs: T0 + 15 * 60_000, body: 'Second update' },
          { id: events[5]!.id, postedMs: T0 + 5 * 60_000, body: 'First update' },
        ],
      },
      refreshSeconds: 5,
      now: T0 + 60 * 60_000,
    })
    expect(res.body).not.toMatch(/SECRET|Dana/)
  })

  it('follow the incident live: a posted update is in the next answer', async () => {
    const t = await statusApp()
    const events = incident()
    const id = events[0]!.incidentId
    await push(t, events)
    const { link } = (await makeLink(t, { incidentId: id })).json()
    await push(t, [makeEvent('update.posted', { body: 'Third update' }, { incidentId: id, ...at(T0 + 20 * 60_000) })])
    expect((await read(t, link)).json().incident.updates[0].body).toBe('Third update')
  })

  it('say "withdrawn" once revoked, and not valid for any other token', async () => {
    const t = await statusApp()
    const events = incident()
    await push(t, events)
    const { link, info } = (await makeLink(t, { incidentId: events[0]!.incidentId })).json()
    const revoke = () =>
      t.app.inject({ method: 'POST', url: '/api/status-links/revoke', headers: t.auth, payload: { id: info.id } })
    expect((await revoke()).json()).toEqual({ revoked: true })
    expect((await revoke()).json()).toEqual({ revoked: false })
    const res = await read(t, link)
    expect(res.statusCode).toBe(410)
    expect(res.json()).toEqual({ error: { code: 'withdrawn', message: 'this link was withdrawn' } })
    expect((await read(t, `x#${'A'.repeat(43)}`)).statusCode).toBe(404)
    expect((await read(t, undefined)).statusCode).toBe(404)
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/status-links?incidentId=${events[0]!.incidentId}`,
      headers: t.auth,
    })
    expect(listed.json().links).toEqual([{ ...info, revokedAt: expect.any(String) }])
    expect(listed.body).not.toContain(link.split('#')[1])
  })

  it('are made and withdrawn only with a writable token, for an incident the server holds', async () => {
    const t = await statusApp()
    const events = incident()
    await push(t, events)
    const { token } = await t.tokens.issue('Observer', { readOnly: true })
    const ro = await makeLink(t, { incidentId: events[0]!.incidentId }, { authorization: `Bearer ${token}` })
    expect(ro.statusCode).toBe(403)
    expect(ro.json().error.code).toBe('read_only')
    expect((await makeLink(t, { incidentId: newId() })).statusCode).toBe(404)
    const bad = await makeLink(t, { incidentId: '../etc' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.message).toBe('incidentId must be an incident id')
    for (const body of [{}, { incidentId: newId(), team: true }])
      expect((await makeLink(t, body)).json().error.message).toBe(
        'the body must be { "incidentId": "..." } or { "team": true }',
      )
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/status-links', payload: { incidentId: newId() } })).statusCode,
    ).toBe(401)
  })

  it('team-wide: off by default; when on, an admin’s link lists the open incidents worst first', async () => {
    const off = await statusApp(false)
    const admin = (await off.tokens.issue('Ada', { admin: true })).token
    expect((await makeLink(off, { team: true }, { authorization: `Bearer ${admin}` })).statusCode).toBe(404)

    const t = await statusApp(true)
    const ada = { authorization: `Bearer ${(await t.tokens.issue('Ada', { admin: true })).token}` }
    const sev3 = incident(newId(), 3, 'Printer queue')
    const sev1 = incident(newId(), 1, 'Ransomware')
    const done = incident(newId(), 2, 'Resolved thing')
    done.push(
      makeEvent(
        'incident.status',
        { status: 'resolved' },
        { incidentId: done[0]!.incidentId, ...at(T0 + 30 * 60_000) },
      ),
    )
    await push(t, [...sev3, ...sev1, ...done])
    expect((await makeLink(t, { team: true })).statusCode).toBe(403)
    const { link } = (await makeLink(t, { team: true }, ada)).json()
    const res = await read(t, link)
    expect(res.json().kind).toBe('team')
    expect(res.json().incidents.map((i: { title: string }) => i.title)).toEqual(['Ransomware', 'Printer queue'])
    expect(res.body).not.toMatch(/SECRET/)
  })
})

describe('the status page itself', () => {
  it('is served at /status, revalidated on every load, under the same CSP; index.html stays the app’s', async () => {
    const dir = tempDir('cp-status-dist-')
    try {
      const dist = fakeDist(dir.path)
      writeFileSync(join(dist, 'status.html'), '<!doctype html><title>Incident status</title><main id="status"></main>')
      const t = await createTestApp({ distDir: dist })
      apps.push(t)
      const page = await t.app.inject({ method: 'GET', url: '/status' })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Incident status')
      expect(page.headers['cache-control']).toBe('no-cache')
      expect(page.headers['content-security-policy']).toContain("script-src 'self'")
      expect((await t.app.inject({ method: 'GET', url: '/incidents/x' })).body).toContain('<div id="app">')
    } finally {
      dir.remove()
    }
  })
})
