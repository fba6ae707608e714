// Against the real server (buildApp on a memory store, through inject): the client and the routes agree.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, injectFetch, type TestApp } from '../../server/test-support'
import type { FetchLike } from './api'
import { createRunbookApi, RunbookApiError } from './runbook-api'

describe('runbook api client', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await createTestApp({ runbookReview: 'required' })
  })
  afterEach(async () => t.close())

  /** fetch() served by the app in memory. */
  const viaInject: FetchLike = (input, init) => injectFetch(t.app)(input, init)

  it('creates, proposes, reviews, diffs and polls the catalogue with its ETag', async () => {
    const author = createRunbookApi({ serverUrl: '', token: t.token }, viaInject)
    const reviewer = createRunbookApi({ serverUrl: '', token: (await t.tokens.issue('Reviewer')).token }, viaInject)

    const v1 = await author.create('network/switch-down', '# Switch down\n\n- [ ] Ping it\n', 'first')
    expect(v1).toMatchObject({ id: 'network/switch-down', version: 1, status: 'proposed' })
    // Review required: the author's own publish is refused with the server's message.
    const refused = await author.publish('network/switch-down', 1).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(RunbookApiError)
    expect(refused).toMatchObject({ status: 403, code: 'forbidden' })
    expect((refused as Error).message).toMatch(/review is required/)
    await reviewer.publish('network/switch-down', 1)

    const first = await author.catalogue()
    expect(first.notModified).toBe(false)
    const etag = first.notModified ? '' : first.etag!
    expect(await author.catalogue(etag)).toEqual({ notModified: true })

    const v2 = await author.propose('network/switch-down', '# Switch down\n\n- [ ] Ping it twice\n', { baseVersion: 1 })
    expect(v2.version).toBe(2)
    const diff = await reviewer.diff('network/switch-down', 1, 2)
    expect(diff).toMatchObject({ added: 1, removed: 1 })
    await reviewer.publish('network/switch-down', 2)
    const changed = await author.catalogue(etag)
    expect(changed.notModified).toBe(false)
    expect(changed.notModified ? null : changed.catalogue.runbooks[0]?.version).toBe(2)

    const restored = await author.restore('network/switch-down', 1)
    expect(restored).toMatchObject({ version: 3, baseVersion: 2 })
    expect((await author.history('network/switch-down')).versions).toHaveLength(3)
    expect((await author.version('network/switch-down', 3)).source).toBe(v1.source)
  })
})
