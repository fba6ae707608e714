import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RUNBOOK_SOURCE_MAX_BYTES } from '../../src/domain/runbook-wire'
import type { RunbookHistory, RunbookVersion } from '../../src/domain/runbook-wire'
import { createTestApp } from '../test-support'
import type { TestApp } from '../test-support'

const SOURCE =
  '---\ntitle: Switch down\nreview-by: 2027-03-01\n---\n\n# Switch down\n\n## Steps\n\n- [ ] Ping it\n- [ ] Check the uplink\n'
const EDITED = SOURCE.replace('- [ ] Check the uplink', '- [ ] Check the uplink on the core')
// The XSS payloads the runbook pipeline is tested with: stored as written, never rendered here.
const HOSTILE = '# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n'

describe('runbook API', () => {
  let t: TestApp
  let other: { authorization: string }

  const post = (url: string, payload: unknown, headers = t.auth) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as object })
  const get = (url: string, headers: Record<string, string> = t.auth) => t.app.inject({ method: 'GET', url, headers })
  const create = async (id = 'switch-down', source = SOURCE, headers = t.auth) => {
    const res = await post('/api/runbooks', { id, source, note: 'first' }, headers)
    expect(res.statusCode).toBe(201)
    return res.json<RunbookVersion>()
  }

  async function setUp(review?: 'required') {
    t = await createTestApp({ runbookReview: review })
    const second = await t.tokens.issue('Second reviewer')
    other = { authorization: `Bearer ${second.token}` }
  }
  afterEach(async () => t.close())

  describe('with the default review setting', () => {
    beforeEach(() => setUp())

    it('creates, proposes and publishes; the catalogue shows the published version', async () => {
      const v1 = await create()
      expect(v1).toMatchObject({
        id: 'switch-down',
        version: 1,
        status: 'proposed',
        author: 'Tester',
        title: 'Switch down',
      })
      expect(v1.reviewBy).toBe('2027-03-01')
      let cat = (await get('/api/runbooks')).json()
      expect(cat.runbooks).toEqual([
        { id: 'switch-down', title: 'Switch down', version: null, reviewBy: '2027-03-01', latestVersion: 1 },
      ])

      // Default: anyone, the author too, publishes their own proposal.
      const pub = await post('/api/runbooks/switch-down/versions/1/publish', {})
      expect(pub.statusCode).toBe(200)
      expect(pub.json()).toMatchObject({ status: 'published', publishedBy: 'Tester' })

      const v2 = await post(
        '/api/runbooks/switch-down/versions',
        { source: EDITED, note: 'core side', baseVersion: 1 },
        other,
      )
      expect(v2.statusCode).toBe(201)
      expect(v2.json()).toMatchObject({
        version: 2,
        author: 'Second reviewer',
        baseVersion: 1,
        status: 'proposed',
        stale: false,
      })
      cat = (await get('/api/runbooks')).json()
      expect(cat.runbooks[0]).toMatchObject({ version: 1, latestVersion: 2 })

      expect((await post('/api/runbooks/switch-down/versions/2/publish', {})).statusCode).toBe(200)
      const got = await get('/api/runbooks/switch-down/versions/2')
      expect(got.json()).toMatchObject({
        source: EDITED,
        note: 'core side',
        author: 'Second reviewer',
        publishedBy: 'Tester',
      })
      expect((await get('/api/runbooks')).json().runbooks[0].version).toBe(2)
    })

    it('answers 304 to If-None-Match while the catalogue is unchanged, and a new ETag after a publish', async () => {
      await create()
      const first = await get('/api/runbooks')
      const etag = first.headers.etag as string
      expect(etag).toMatch(/^".+"$/)
      const again = await get('/api/runbooks', { ...t.auth, 'if-none-match': etag })
      expect(again.statusCode).toBe(304)
      expect(again.body).toBe('')
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      const changed = await get('/api/runbooks', { ...t.auth, 'if-none-match': etag })
      expect(changed.statusCode).toBe(200)
      expect(changed.headers.etag).not.toBe(etag)
    })

    it('shows history oldest first and a diff grouped by section', async () => {
      await create()
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      await post('/api/runbooks/switch-down/versions', { source: EDITED, note: 'core side' })
      const history = (await get('/api/runbooks/switch-down/versions')).json<RunbookHistory>()
      expect(history.versions.map((v) => [v.version, v.status, v.note])).toEqual([
        [1, 'published', 'first'],
        [2, 'proposed', 'core side'],
      ])
      const diff = await get('/api/runbooks/switch-down/diff?from=1&to=2')
      expect(diff.statusCode).toBe(200)
      expect(diff.json()).toMatchObject({ from: 1, to: 2, added: 1, removed: 1 })
      expect(diff.json().sections.map((s: { heading: string }) => s.heading)).toEqual(['## Steps'])
      expect((await get('/api/runbooks/switch-down/diff?from=1&to=9')).statusCode).toBe(404)
    })

    it('restores an old version as a new version, keeping the history', async () => {
      await create()
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      await post('/api/runbooks/switch-down/versions', { source: EDITED })
      await post('/api/runbooks/switch-down/versions/2/publish', {})
      const restored = await post('/api/runbooks/switch-down/restore', { version: 1 })
      expect(restored.statusCode).toBe(201)
      expect(restored.json()).toMatchObject({ version: 3, source: SOURCE, baseVersion: 2, note: 'Restored version 1' })
      expect((await post('/api/runbooks/switch-down/versions/3/publish', {})).statusCode).toBe(200)
      const history = (await get('/api/runbooks/switch-down/versions')).json<RunbookHistory>()
      expect(history.versions).toHaveLength(3)
      expect(history.publishedVersion).toBe(3)
    })

    it('marks a proposal edited from an older version stale and refuses to publish it', async () => {
      await create()
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      await post('/api/runbooks/switch-down/versions', { source: EDITED, baseVersion: 1 }) // v2
      await post('/api/runbooks/switch-down/versions', { source: `${SOURCE}\nMore.\n`, baseVersion: 1 }, other) // v3
      await post('/api/runbooks/switch-down/versions/2/publish', {})
      const v3 = (await get('/api/runbooks/switch-down/versions/3')).json<RunbookVersion>()
      expect(v3.stale).toBe(true)
      const refused = await post('/api/runbooks/switch-down/versions/3/publish', {}, other)
      expect(refused.statusCode).toBe(409)
      expect(refused.json().error).toMatchObject({ code: 'conflict' })
      expect(refused.json().error.message).toMatch(/edited from version 1, but version 2 was published/)
      expect((await get('/api/runbooks')).json().runbooks[0].version).toBe(2)
    })

    it('stores a proposal sent twice with one proposalId once, and answers the stored version again', async () => {
      // The phone's first attempt was stored but its answer lost: it sends the same body again.
      const body = { id: 'switch-down', source: SOURCE, note: 'first', proposalId: 'p-create-0001' }
      const first = await post('/api/runbooks', body)
      const again = await post('/api/runbooks', body)
      expect(first.statusCode).toBe(201)
      expect(again.statusCode).toBe(201)
      expect(again.json()).toEqual(first.json())
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      const edit = { source: EDITED, note: 'core', baseVersion: 1, proposalId: 'p-edit-0001' }
      const v2 = await post('/api/runbooks/switch-down/versions', edit)
      const v2again = await post('/api/runbooks/switch-down/versions', edit)
      expect(v2.statusCode).toBe(201)
      expect(v2again.statusCode).toBe(201)
      expect(v2again.json()).toMatchObject({ version: 2, source: EDITED, note: 'core' })
      const history = (await get('/api/runbooks/switch-down/versions')).json<RunbookHistory>()
      expect(history.versions.map((v) => v.version)).toEqual([1, 2])
      // Another proposal (another key) is stored as usual.
      const v3 = await post('/api/runbooks/switch-down/versions', { ...edit, proposalId: 'p-edit-0002' })
      expect(v3.json()).toMatchObject({ version: 3 })
    })

    it('refuses a proposalId used for another proposal, naming it, and stores nothing', async () => {
      await create()
      await post('/api/runbooks/switch-down/versions', { source: EDITED, proposalId: 'p-used-0001' })
      const other = await post('/api/runbooks/switch-down/versions', {
        source: `${SOURCE}\nMore.\n`,
        proposalId: 'p-used-0001',
      })
      expect(other.statusCode).toBe(409)
      expect(other.json().error).toMatchObject({ code: 'conflict' })
      expect(other.json().error.message).toMatch(/^proposalId "p-used-0001" was already used/)
      const elsewhere = await post('/api/runbooks', { id: 'printer', source: EDITED, proposalId: 'p-used-0001' })
      expect(elsewhere.statusCode).toBe(409)
      expect((await get('/api/runbooks')).json().runbooks).toHaveLength(1)
      expect((await get('/api/runbooks/switch-down/versions')).json().versions).toHaveLength(2)
      const bad = await post('/api/runbooks/switch-down/versions', { source: EDITED, proposalId: 'no spaces' })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.message).toMatch(/proposalId/)
    })

    it('refuses an id clash, naming the id, and keeps the first runbook', async () => {
      await create()
      const clash = await post('/api/runbooks', { id: 'switch-down', source: '# Other\n' }, other)
      expect(clash.statusCode).toBe(409)
      expect(clash.json().error.message).toMatch(/"switch-down" already exists/)
      const history = (await get('/api/runbooks/switch-down/versions')).json<RunbookHistory>()
      expect(history.versions).toHaveLength(1)
      expect(history.versions[0]!.author).toBe('Tester')
    })

    it('refuses a source over 1 MiB with 413 naming source, and stores nothing', async () => {
      const big = `# Big\n${'x'.repeat(RUNBOOK_SOURCE_MAX_BYTES)}`
      const res = await post('/api/runbooks', { id: 'big', source: big })
      expect(res.statusCode).toBe(413)
      expect(res.json().error).toMatchObject({ code: 'too_large' })
      expect(res.json().error.message).toMatch(/^source /)
      await create()
      const proposal = await post('/api/runbooks/switch-down/versions', { source: big })
      expect(proposal.statusCode).toBe(413)
      expect(proposal.json().error.message).toMatch(/^source /)
      expect((await get('/api/runbooks')).json().runbooks).toHaveLength(1)
      expect((await get('/api/runbooks/switch-down/versions')).json().versions).toHaveLength(1)
    })

    it('stores hostile Markdown as its source, byte for byte, as JSON (never rendered here)', async () => {
      const v = await create('hostile', HOSTILE)
      const got = await get(`/api/runbooks/hostile/versions/${v.version}`)
      expect(got.headers['content-type']).toMatch(/^application\/json/)
      expect(got.json().source).toBe(HOSTILE)
    })

    it('serves ids with folders, URL-encoded', async () => {
      await create('network/switch-down')
      const res = await get('/api/runbooks/network%2Fswitch-down/versions/1')
      expect(res.statusCode).toBe(200)
      expect(res.json().id).toBe('network/switch-down')
      expect((await get('/api/runbooks/..%2Fetc/versions')).statusCode).toBe(400)
    })

    it('refuses writes from a read-only token', async () => {
      await create()
      const ro = await t.tokens.issue('Watcher', { readOnly: true })
      const auth = { authorization: `Bearer ${ro.token}` }
      const res = await post('/api/runbooks/switch-down/versions', { source: EDITED }, auth)
      expect(res.statusCode).toBe(403)
      expect(res.json().error.code).toBe('read_only')
      expect((await get('/api/runbooks', auth)).statusCode).toBe(200)
    })

    it('has no route that changes or deletes a version', async () => {
      await create()
      await post('/api/runbooks/switch-down/versions/1/publish', {})
      const attempts = [
        { method: 'PUT', url: '/api/runbooks/switch-down/versions/1' },
        { method: 'PATCH', url: '/api/runbooks/switch-down/versions/1' },
        { method: 'DELETE', url: '/api/runbooks/switch-down/versions/1' },
        { method: 'DELETE', url: '/api/runbooks/switch-down' },
        { method: 'PUT', url: '/api/runbooks/switch-down' },
        { method: 'POST', url: '/api/runbooks/switch-down/versions/1' },
      ] as const
      for (const a of attempts) {
        const res = await t.app.inject({ ...a, headers: t.auth, payload: { source: '# Rewritten\n' } })
        expect(res.statusCode, `${a.method} ${a.url}`).toBe(404)
      }
      // Publishing twice does not rewrite who published it or when.
      const again = await post('/api/runbooks/switch-down/versions/1/publish', {}, other)
      expect(again.statusCode).toBe(409)
      const v1 = (await get('/api/runbooks/switch-down/versions/1')).json<RunbookVersion>()
      expect(v1).toMatchObject({ source: SOURCE, publishedBy: 'Tester', note: 'first' })
    })

    it('needs a token', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/runbooks' })).statusCode).toBe(401)
    })
  })

  describe('with RUNBOOK_REVIEW=required', () => {
    beforeEach(() => setUp('required'))

    it('refuses to let the author publish their own proposal, and a second person publishes it', async () => {
      await create()
      const own = await post('/api/runbooks/switch-down/versions/1/publish', {})
      expect(own.statusCode).toBe(403)
      expect(own.json().error).toMatchObject({ code: 'forbidden' })
      expect(own.json().error.message).toMatch(/review is required.*someone other than Tester/)
      expect((await get('/api/runbooks')).json().runbooks[0].version).toBeNull()
      const reviewed = await post('/api/runbooks/switch-down/versions/1/publish', {}, other)
      expect(reviewed.statusCode).toBe(200)
      expect(reviewed.json()).toMatchObject({ author: 'Tester', publishedBy: 'Second reviewer' })
    })
  })
})
