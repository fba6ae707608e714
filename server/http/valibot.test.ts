import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { PushAnswerSchema, PushBodySchema } from '../../src/domain/wire'
import { makeEvents } from '../../tests/fixtures/events'
import { createTestApp } from '../test-support'
import type { TestApp } from '../test-support'
import { errorHandler } from './errors'
import { ERROR_RESPONSES, installValibot, type ValibotTypeProvider } from './valibot'

const apps: TestApp[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

/** A logger that keeps its lines, to see what the error handler logged. */
function capturingLogger() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { logger: { level: 'error', stream }, lines }
}

describe('request validation with the wire schemas', () => {
  it('answers a malformed push with the contract code and a message naming what is wrong', async () => {
    const t = await createTestApp()
    apps.push(t)
    const post = (payload: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/events', headers: t.auth, payload: payload as object })
    const expectError = async (payload: unknown, status: number, code: string, message: string) => {
      const res = await post(payload)
      expect(res.statusCode).toBe(status)
      expect(res.json()).toEqual({ error: { code, message } })
    }
    await expectError({ evts: [] }, 400, 'bad_request', 'the body must be { "events": [...] }')
    await expectError({ events: {} }, 400, 'bad_request', 'the body must be { "events": [...] }')
    await expectError({ events: [] }, 400, 'bad_request', 'events must hold at least one event')
    await expectError({ events: makeEvents(501) }, 413, 'too_large', 'at most 500 events per request; split the batch')
  })

  it('answers a malformed pull or stream query with 400 naming the parameter', async () => {
    const t = await createTestApp()
    apps.push(t)
    const get = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers: { ...t.auth, ...headers } })
    expect((await get('/api/events?after=1.5')).json()).toEqual({
      error: { code: 'bad_request', message: 'after must be a whole number' },
    })
    expect((await get('/api/events?limit=1001')).json()).toEqual({
      error: { code: 'bad_request', message: 'limit must be between 1 and 1000' },
    })
    const stream = await get('/api/events/stream', { 'last-event-id': 'x' })
    expect(stream.statusCode).toBe(400)
    expect(stream.json()).toEqual({ error: { code: 'bad_request', message: 'Last-Event-ID must be a whole number' } })
  })
})

describe('response checking (checkResponses, on in every server test)', () => {
  it('turns a route answer that breaks its wire schema into a logged 500, and only when asked', async () => {
    const { logger, lines } = capturingLogger()
    const checked = await createTestApp({ logger })
    const unchecked = await createTestApp({ checkResponses: false })
    apps.push(checked, unchecked)
    // A store bug: `more` as a string. The pull page schema says boolean.
    for (const t of [checked, unchecked])
      t.store.readEventsAfter = async () => ({ events: [], more: 'no' as unknown as boolean })

    const res = await checked.app.inject({ method: 'GET', url: '/api/events', headers: checked.auth })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: expect.any(String) } })
    const logged = lines.map((l) => JSON.parse(l) as { err?: { type?: string; message?: string } })
    expect(logged).toContainEqual(
      expect.objectContaining({
        err: expect.objectContaining({
          type: 'ResponseShapeError',
          message: expect.stringMatching(/^GET \/api\/events \(200\) answered a body .*more: /),
        }),
      }),
    )

    // Production (no checkResponses) sends what the route returned, unchecked.
    const plain = await unchecked.app.inject({ method: 'GET', url: '/api/events', headers: unchecked.auth })
    expect(plain.statusCode).toBe(200)
    expect(plain.json()).toEqual({ events: [], last: 0, more: 'no', serverId: expect.any(String) })
  })

  it('checks any route that declares a response schema, error answers included', async () => {
    const app = Fastify()
    app.setErrorHandler(errorHandler)
    installValibot(app, { checkResponses: true })
    const api = app.withTypeProvider<ValibotTypeProvider>()
    const route = { schema: { body: PushBodySchema, response: { 200: PushAnswerSchema, ...ERROR_RESPONSES } } }
    // A wrong answer shape: ids as one string, no duplicate list.
    api.post('/wrong', route, async () => ({ accepted: 'a,b', rejected: [] }) as never)
    api.post('/right', route, async (request) => ({
      accepted: request.body.events.map(String),
      duplicate: [],
      rejected: [],
    }))
    await app.ready()
    const wrong = await app.inject({ method: 'POST', url: '/wrong', payload: { events: [1] } })
    expect(wrong.statusCode).toBe(500)
    expect(wrong.json().error.code).toBe('internal_error')
    const right = await app.inject({ method: 'POST', url: '/right', payload: { events: [1, 2] } })
    expect(right.json()).toEqual({ accepted: ['1', '2'], duplicate: [], rejected: [] })
    // The 400 for a bad body passes the error body schema.
    const bad = await app.inject({ method: 'POST', url: '/right', payload: { events: 'no' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('bad_request')
    await app.close()
  })
})
