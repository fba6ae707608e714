import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  ErrorBodySchema,
  ErrorMessageSchema,
  PullPageSchema,
  PullQuerySchema,
  PushBodySchema,
  StreamResumeSchema,
} from './wire'

const issueTypes = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input)
  return result.success ? [] : result.issues.map((i) => i.type)
}

describe('wire schemas', () => {
  it('fill in the pull defaults and read digits only', () => {
    expect(v.parse(PullQuerySchema, {})).toEqual({ after: 0, limit: 500 })
    expect(v.parse(PullQuerySchema, { after: '42', limit: '1000', other: 'ignored' })).toEqual({
      after: 42,
      limit: 1000,
    })
    for (const after of ['', '-1', '1.5', '1e3', ' 1', '12345678901234567', ['1', '2']])
      expect(v.safeParse(PullQuerySchema, { after }).success).toBe(false)
    expect(v.safeParse(PullQuerySchema, { limit: '0' }).success).toBe(false)
    expect(v.safeParse(StreamResumeSchema, '9007199254740992').success).toBe(false)
  })

  it('tell too many pushed events (max_length, a 413) from a malformed body (a 400)', () => {
    expect(issueTypes(PushBodySchema, { events: new Array(501).fill({}) })).toEqual(['max_length'])
    expect(issueTypes(PushBodySchema, { events: [] })).toEqual(['min_length'])
    expect(issueTypes(PushBodySchema, { events: 'x' })).toEqual(['array'])
    expect(issueTypes(PushBodySchema, null)).toEqual(['object'])
  })

  it('leave the events of a pull page to be judged one by one', () => {
    const page = { events: [{ any: 'thing' }, 3], last: 7, more: true }
    expect(v.parse(PullPageSchema, page)).toEqual(page)
    expect(v.safeParse(PullPageSchema, { ...page, last: -1 }).success).toBe(false)
  })

  it('hold the server to the documented error codes, while the app reads any error message', () => {
    const future = { error: { code: 'from_the_future', message: 'later' } }
    expect(v.safeParse(ErrorBodySchema, future).success).toBe(false)
    expect(v.parse(ErrorBodySchema, { error: { code: 'too_large', message: 'm' } }).error.code).toBe('too_large')
    expect(v.parse(ErrorMessageSchema, future)).toEqual({ error: { code: 'from_the_future', message: 'later' } })
    expect(v.parse(ErrorMessageSchema, { error: { message: 'no code' } })).toEqual({ error: { message: 'no code' } })
  })
})
