/**
 * The mailer against a real SMTP server in this process (smtp-server): the
 * message, the recipients, at most once, the send rate, and the failure paths.
 * Time is a fake clock: the rate is checked on its schedule, never by waiting.
 */
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { describeEmailReport } from '../../src/domain/describe'
import type { IncidentEvent, PayloadOf } from '../../src/domain/events'
import { makeEvent } from '../../tests/fixtures/events'
import { HOSTILE_TEXTS } from '../../tests/fixtures/hostile-texts'
import { mailerOf } from '../app'
import { createTestApp, type TestApp } from '../test-support'
import { DEFAULT_MAIL_SETTINGS, Mailer, type MailSettings } from './mailer'
import type { RateClock } from './rate'
import { smtpTransport } from './transport'

interface Received {
  to: string[]
  raw: string
  /** The fake clock when the message arrived. */
  at: number
}

/** Undoes quoted-printable soft breaks and escapes, enough to read a message's parts. */
function readable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
}

class FakeClock implements RateClock {
  t = Date.UTC(2026, 10, 24, 9, 0, 0)
  now = () => this.t
  sleep = async (ms: number) => {
    this.t += ms
  }
}

let smtp: SMTPServer
let smtpPort: number
let received: Received[]
let refuse: Set<string>
let clock: FakeClock

async function startSmtp(): Promise<void> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        const err = Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 })
        return callback(err)
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          at: clock.now(),
        })
        callback(null, 'Queued as TEST')
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
  smtpPort = (smtp.server.address() as AddressInfo).port
}

function settings(over: Partial<MailSettings> = {}): MailSettings {
  return {
    ...DEFAULT_MAIL_SETTINGS,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    from: 'Lincoln USD Incidents <incidents@lincoln.example>',
    perMinute: 6000,
    batchSize: 50,
    timeoutMs: 5_000,
    statusUrl: 'https://cp.lincoln.example/status/{incident}',
    ...over,
  }
}

let t: TestApp
const apps: TestApp[] = []

async function appWith(over: Partial<MailSettings> = {}, node?: string, store?: TestApp['store']): Promise<TestApp> {
  const s = settings(over)
  const app = await createTestApp({
    ...(store && { store }),
    mail: { settings: s, transport: smtpTransport(s.smtpUrl!, s), clock, autoStart: false, node },
  })
  apps.push(app)
  return app
}

beforeEach(async () => {
  received = []
  refuse = new Set()
  clock = new FakeClock()
  await startSmtp()
})

afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
})

const push = (app: TestApp, events: unknown[]) =>
  app.app.inject({ method: 'POST', url: '/api/events', headers: app.auth, payload: { events } })

async function pulled(app: TestApp): Promise<IncidentEvent[]> {
  return (await app.app.inject({ method: 'GET', url: '/api/events', headers: app.auth })).json().events
}

/** An incident, an audience of `emails`, and an update to it, as a phone would push them. */
function scenario(
  emails: string[],
  body = 'Phones are down at Lincoln High. Next update 10:30.',
  title = 'Phones down',
) {
  const incidentId = 'INC0000000000000000000001'
  const audienceId = 'AUD0000000000000000000001'
  const declared = makeEvent('incident.declared', { title, severity: 2 }, { incidentId })
  const audience = makeEvent('audience.saved', {
    audienceId,
    name: 'Principals',
    members: emails.map((email, i) => ({ email, name: `Principal ${i + 1}` })),
  })
  const update = makeEvent('update.posted', { body, audience: 'Principals', audienceId }, { incidentId })
  return { incidentId, audienceId, events: [declared, audience, update], update }
}

async function send(app: TestApp): Promise<void> {
  const mailer = mailerOf(app.app)!
  await mailer.scan()
  await mailer.idle()
}

function reports(events: IncidentEvent[]): PayloadOf<'update.emailed'>[] {
  return events.filter((e) => e.type === 'update.emailed').map((e) => e.payload as PayloadOf<'update.emailed'>)
}

describe('emailing an update to an audience', () => {
  it('sends one message per recipient, plain text and HTML, and reports back onto the incident', async () => {
    t = await appWith()
    const s = scenario(['kim@lincoln.example', 'lee@lincoln.example', 'Pat@Lincoln.example'])
    const res = await push(t, s.events)
    expect(res.json().accepted).toHaveLength(3)
    await send(t)

    expect(received.map((m) => m.to).sort()).toEqual([
      ['kim@lincoln.example'],
      ['lee@lincoln.example'],
      ['pat@lincoln.example'],
    ])
    const kim = readable(received.find((m) => m.to[0] === 'kim@lincoln.example')!.raw)
    expect(kim).toMatch(/^From: Lincoln USD Incidents <incidents@lincoln\.example>/m)
    expect(kim).toMatch(/^To: kim@lincoln\.example/m)
    expect(kim).toMatch(/^Subject: Update: Phones down \(SEV2, active\)/m)
    expect(kim).toContain('Content-Type: text/plain')
    expect(kim).toContain('Content-Type: text/html')
    expect(kim).toContain('Phones are down at Lincoln High. Next update 10:30.')
    expect(kim).toContain('https://cp.lincoln.example/status/INC0000000000000000000001')
    expect(kim).toContain('2026-11-01 09:00 UTC')

    const [report] = reports(await pulled(t))
    expect(report).toMatchObject({ outcome: 'sent', total: 3, sent: 3, failed: [], unknown: [] })
    expect(describeEmailReport(report!)).toBe('Sent to 3 of 3 in Principals')
    const reportEvent = (await pulled(t)).find((e) => e.type === 'update.emailed')!
    expect(reportEvent.incidentId).toBe(s.incidentId)
    expect(reportEvent.hlc > s.update.hlc).toBe(true)
  })

  it('sends on a push without a query of its own; a poll also reads the stored cursor and takes over expired jobs', async () => {
    t = await appWith()
    const asked = { cursor: 0, expired: 0 }
    const { mailCursor, expiredMailJobs } = t.store
    t.store.mailCursor = () => (asked.cursor++, mailCursor.call(t.store))
    t.store.expiredMailJobs = (now, limit) => (asked.expired++, expiredMailJobs.call(t.store, now, limit))
    const s = scenario(['kim@lincoln.example'])
    expect((await push(t, s.events)).json().accepted).toHaveLength(3)
    const mailer = mailerOf(t.app)!
    // The push's own wake (events/follow-ups.ts, after the answer), as the server does for every growth.
    await vi.waitFor(async () => {
      await mailer.idle()
      expect(received.map((m) => m.to)).toEqual([['kim@lincoln.example']])
    })
    expect(asked).toEqual({ cursor: 0, expired: 0 })
    await mailer.scan()
    expect(asked).toEqual({ cursor: 1, expired: 1 })
    expect(received).toHaveLength(1)
  })

  it('escapes every text field in the HTML part', async () => {
    t = await appWith()
    const hostile = HOSTILE_TEXTS.join(' ')
    const s = scenario(['kim@lincoln.example'], hostile, HOSTILE_TEXTS[1])
    await push(t, s.events)
    await send(t)
    const raw = readable(received[0]!.raw)
    const html = raw.slice(raw.indexOf('Content-Type: text/html'))
    for (const tag of ['<script', '<img', '<svg', '<iframe', '<a href="javascript', '<b>'])
      expect(html).not.toContain(tag)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&amp;lt;already escaped&amp;gt;')
  })

  it('sends at most once per update and recipient: the update pushed twice, seen by two servers', async () => {
    t = await appWith({}, 'node-a')
    const other = await appWith({}, 'node-b', t.store)
    const s = scenario(['kim@lincoln.example', 'lee@lincoln.example'])
    await push(t, s.events)
    const again = await push(other, [s.update])
    expect(again.json().duplicate).toEqual([s.update.id])
    await Promise.all([send(t), send(other), send(t)])
    await Promise.all([send(t), send(other)])
    expect(received.map((m) => m.to[0]).sort()).toEqual(['kim@lincoln.example', 'lee@lincoln.example'])
    expect(reports(await pulled(t))).toHaveLength(1)
  })

  it('never sends again to an address claimed by a process that stopped mid-send: "delivery unknown"', async () => {
    t = await appWith({ leaseMs: 60_000 })
    const s = scenario(['kim@lincoln.example', 'lee@lincoln.example', 'pat@lincoln.example'])
    // What a process leaves when it stops after claiming kim, before her SMTP answer was recorded.
    await t.store.claimMailJob({
      eventId: s.update.id,
      incidentId: s.incidentId,
      node: 'node-that-stopped',
      now: clock.now(),
      leaseUntil: clock.now() + 60_000,
    })
    await t.store.claimMailRecipients(s.update.id, ['kim@lincoln.example'], clock.now())
    await push(t, s.events)
    await send(t)
    expect(received).toEqual([]) // the job is still leased to the stopped process
    await clock.sleep(60_001)
    await send(t)
    expect(received.map((m) => m.to[0]).sort()).toEqual(['lee@lincoln.example', 'pat@lincoln.example'])
    const [report] = reports(await pulled(t))
    expect(report).toMatchObject({ total: 3, sent: 2, unknown: ['kim@lincoln.example'] })
    expect(describeEmailReport(report!)).toContain('delivery unknown for kim@lincoln.example')
  })

  it('keeps to the send rate: a batch back to back, then one message per interval', async () => {
    t = await appWith({ perMinute: 6, batchSize: 2 })
    const s = scenario(['a@l.example', 'b@l.example', 'c@l.example', 'd@l.example', 'e@l.example'])
    const start = clock.now()
    await push(t, s.events)
    await send(t)
    expect(received.map((m) => m.at - start)).toEqual([0, 0, 10_000, 20_000, 30_000])
    expect(reports(await pulled(t))[0]).toMatchObject({ sent: 5, total: 5 })
  })

  it('stops at once while waiting for the send rate, leaving nothing unknown; the next start sends the rest', async () => {
    const s = scenario(['a@l.example', 'b@l.example', 'c@l.example'])
    // A clock whose waits last until the server stops.
    const stuck = new FakeClock()
    stuck.sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()))
    const conf = settings({ perMinute: 1, batchSize: 1 })
    const first = await createTestApp({
      mail: { settings: conf, transport: smtpTransport(conf.smtpUrl!, conf), clock: stuck, autoStart: false },
    })
    await push(first, s.events)
    const mailer = mailerOf(first.app)!
    await mailer.scan()
    await expect.poll(() => received.length).toBe(1) // the first went; the second waits for the rate
    await first.app.close() // stops the mailer: the wait ends
    expect((await first.store.mailRecipients(s.update.id)).map((r) => r.state)).toEqual(['sent'])

    t = await appWith({}, 'restarted', first.store)
    await clock.sleep(1) // the restart comes later
    await send(t)
    expect(received.map((m) => m.to[0])).toEqual(['a@l.example', 'b@l.example', 'c@l.example'])
    expect(reports(await pulled(t))[0]).toMatchObject({ sent: 3, total: 3, unknown: [] })
  })

  it('reports addresses the SMTP server refuses, with its answer', async () => {
    t = await appWith()
    refuse.add('gone@lincoln.example')
    const s = scenario(['kim@lincoln.example', 'gone@lincoln.example'])
    await push(t, s.events)
    await send(t)
    expect(received.map((m) => m.to[0])).toEqual(['kim@lincoln.example'])
    const [report] = reports(await pulled(t))
    expect(report).toMatchObject({ sent: 1, total: 2, failed: [{ email: 'gone@lincoln.example' }] })
    expect(report!.failed[0]!.answer).toContain('550')
    expect(describeEmailReport(report!)).toMatch(
      /^Sent to 1 of 2 in Principals; 1 failed: gone@lincoln\.example \(.*550/,
    )
  })

  it('retries while the SMTP server cannot be reached, then reports the failure; the push is answered at once', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe: Server = createServer()
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as AddressInfo).port
        probe.close(() => resolve(port))
      })
    })
    t = await appWith({ smtpUrl: `smtp://127.0.0.1:${closedPort}`, maxAttempts: 2 })
    const s = scenario(['kim@lincoln.example', 'lee@lincoln.example'])
    const res = await push(t, s.events)
    expect(res.statusCode).toBe(200)
    expect(res.json().accepted).toHaveLength(3)
    await send(t)
    expect(reports(await pulled(t))).toEqual([]) // postponed, not failed: nothing was handed over
    expect(await t.store.mailRecipients(s.update.id)).toEqual([])
    await clock.sleep(60_001)
    await send(t)
    const [report] = reports(await pulled(t))
    expect(report).toMatchObject({ sent: 0, total: 2 })
    expect(report!.failed.map((f) => f.email)).toEqual(['kim@lincoln.example', 'lee@lincoln.example'])
    expect(report!.failed[0]!.answer).toMatch(/ECONNREFUSED/)
  })

  it('treats a server that never greets as unreached (timeout), not as delivered', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    const port = (silent.address() as AddressInfo).port
    try {
      t = await appWith({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 200, maxAttempts: 1 })
      const s = scenario(['kim@lincoln.example'])
      await push(t, s.events)
      await send(t)
      const [report] = reports(await pulled(t))
      expect(report).toMatchObject({ sent: 0, total: 1, unknown: [] })
      expect(report!.failed[0]!.answer).toMatch(/Greeting never received|timeout/i)
    } finally {
      silent.close()
    }
  })

  it('reports "email is not set up" without SMTP settings, and the update is stored as usual', async () => {
    t = await createTestApp({
      mail: { settings: { ...DEFAULT_MAIL_SETTINGS }, clock, autoStart: false },
    })
    apps.push(t)
    const s = scenario(['kim@lincoln.example'])
    expect((await push(t, s.events)).json().accepted).toHaveLength(3)
    await send(t)
    const [report] = reports(await pulled(t))
    expect(describeEmailReport(report!)).toBe('Not emailed to Principals: email is not set up on the server')
  })

  it('refuses a delivery report pushed by a phone', async () => {
    t = await appWith()
    const forged = makeEvent('update.emailed', {}, { incidentId: 'INC0000000000000000000001' })
    expect((await push(t, [forged])).json().rejected).toEqual([
      { id: forged.id, reason: 'type: update.emailed is written by the server only' },
    ])
  })

  it('refuses an audience address that is not an email, naming the field', async () => {
    t = await appWith()
    const bad = makeEvent('audience.saved', { members: [{ email: 'kim@lincoln.example' }, { email: 'principal' }] })
    expect((await push(t, [bad])).json().rejected).toEqual([
      { id: bad.id, reason: 'payload.members.1.email: must be an email address' },
    ])
  })
})

describe('Mailer', () => {
  it('is not enabled without a transport', () => {
    const m = new Mailer({
      store: {} as never,
      settings: DEFAULT_MAIL_SETTINGS,
      transport: null,
      publish: () => {},
    })
    expect(m.enabled).toBe(false)
  })
})
