/**
 * The three-way merge of a stale proposal, in real Chromium against the real
 * server: two proposals are edited from version 1, one is published, and the
 * other is shown stale on the history screen. "Merge with version 2" on a
 * proposal that changed other lines than the published one opens the editor
 * with both changes; on one that changed the same line differently it shows
 * both sides, marked, and chooses nothing: no draft is written, the editor still
 * opens on the published text, and the server's versions are as they were.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { issueToken, newPhone, registerE2eWorld } from './harness'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld()

interface Version {
  version: number
  source: string
  stale: boolean
  status: string
}

/** The runbook API as another team member's tool would call it. */
function api(token: string) {
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${world.server.url}/api/runbooks/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`)
    return (await response.json()) as T
  }
  return {
    version: (id: string, v: number) => call<Version>(`${encodeURIComponent(id)}/versions/${v}`),
    versions: (id: string) =>
      call<{ publishedVersion: number; versions: Version[] }>(`${encodeURIComponent(id)}/versions`),
    propose: (id: string, source: string) =>
      call<Version>(`${encodeURIComponent(id)}/versions`, { source, baseVersion: 1, note: 'e2e' }),
    publish: (id: string, v: number) => call<Version>(`${encodeURIComponent(id)}/versions/${v}/publish`, {}),
  }
}

/** `source` with the `n`th task-list step (from 0; negative from the end) given `suffix`. */
function editStep(source: string, n: number, suffix: string): { source: string; line: string } {
  const lines = source.split('\n')
  const steps = lines.flatMap((l, i) => (l.startsWith('- [ ] ') ? [i] : []))
  const at = steps.at(n)!
  lines[at] = `${lines[at]}${suffix}`
  return { source: lines.join('\n'), line: lines[at]! }
}

/** Two proposals edited from version 1: the first published (version 2), the second left stale (version 3). */
async function staleProposal(
  token: string,
  id: string,
  published: (v1: string) => string,
  mine: (v1: string) => string,
) {
  const server = api(token)
  const v1 = (await server.version(id, 1)).source
  const two = await server.propose(id, published(v1))
  const three = await server.propose(id, mine(v1))
  await server.publish(id, two.version)
  assert.deepEqual([two.version, three.version], [2, 3])
  assert.equal((await server.version(id, 3)).stale, true)
  return server
}

async function joinedPhone(name: string) {
  const token = issueToken(world.server.dataDir, name)
  const phone = await newPhone(world.browser, world.server.url, name)
  await openJoinLink(phone.page, world.server.url, token)
  await new SyncIndicator(phone.page).waitFor(/^Synced$/)
  return { ...phone, token }
}

const textarea = () => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value ?? ''

test('a stale proposal merges cleanly into the editor with both changes', async () => {
  const a = await joinedPhone('Ana')
  const id = 'wifi-auth-failing'
  const server = await staleProposal(
    a.token,
    id,
    (v1) => editStep(v1, 0, ' (published side)').source,
    (v1) => editStep(v1, -1, ' (my side)').source,
  )
  const theirsLine = editStep((await server.version(id, 1)).source, 0, ' (published side)').line
  const mineLine = editStep((await server.version(id, 1)).source, -1, ' (my side)').line

  await a.page.goto(`${world.server.url}/history/runbooks/${id}`)
  const versions = a.page.getByRole('list', { name: 'Versions' })
  await versions.getByText('stale: edited from version 1').waitFor()
  await a.page.getByRole('button', { name: 'Merge with version 2' }).click()

  await a.page.waitForURL(`**/edit/runbooks/${id}`)
  await a.page.waitForFunction(
    ([one, two]) => {
      const value = (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value ?? ''
      return value.includes(one!) && value.includes(two!)
    },
    [theirsLine, mineLine],
  )
  const merged = await a.page.evaluate(textarea)
  assert.ok(merged.includes(theirsLine) && merged.includes(mineLine), 'both changes are in the editor')
  assert.ok(!merged.includes('<<<<<<<'), 'no conflict markers')
  assert.equal(await a.page.getByLabel('Change note').inputValue(), 'e2e (merged with version 2)')
  // Nothing is proposed or published until the person says so.
  const after = await server.versions(id)
  assert.equal(after.publishedVersion, 2)
  assert.equal(after.versions.length, 3)
  await a.context.close()
})

test('a stale proposal that clashes shows both sides and chooses nothing', async () => {
  const a = await joinedPhone('Ben')
  const id = 'phones-paging-bells-down'
  const server = await staleProposal(
    a.token,
    id,
    (v1) => editStep(v1, 0, ' (published wording)').source,
    (v1) => editStep(v1, 0, ' (my wording)').source,
  )
  const v2 = (await server.version(id, 2)).source
  const theirsLine = editStep((await server.version(id, 1)).source, 0, ' (published wording)').line
  const mineLine = editStep((await server.version(id, 1)).source, 0, ' (my wording)').line

  await a.page.goto(`${world.server.url}/history/runbooks/${id}`)
  await a.page.getByRole('list', { name: 'Versions' }).getByText('stale: edited from version 1').waitFor()
  await a.page.getByRole('button', { name: 'Merge with version 2' }).click()

  const conflicts = a.page.getByRole('region', { name: 'Conflicts' })
  await conflicts.waitFor()
  const mineSide = conflicts.getByRole('region', { name: 'Version 3' })
  const theirsSide = conflicts.getByRole('region', { name: 'Version 2' })
  await mineSide.getByRole('heading', { name: 'Version 3' }).waitFor()
  await theirsSide.getByRole('heading', { name: 'Version 2 (published)' }).waitFor()
  // Each side shows its own wording of the clashing line, marked as a conflict, and not the other's.
  const mineConflict = mineSide.locator('.merge__conflict', { hasText: 'Conflict:' })
  const theirsConflict = theirsSide.locator('.merge__conflict', { hasText: 'Conflict:' })
  assert.equal(await mineConflict.count(), 1)
  assert.equal(await theirsConflict.count(), 1)
  assert.ok(((await mineConflict.textContent()) ?? '').includes(mineLine))
  assert.ok(!((await mineConflict.textContent()) ?? '').includes('(published wording)'))
  assert.ok(((await theirsConflict.textContent()) ?? '').includes(theirsLine))
  assert.ok(!((await theirsConflict.textContent()) ?? '').includes('(my wording)'))
  // Still on the history screen: no editor was opened with a merge chosen for the person.
  assert.match(a.page.url(), new RegExp(`/history/runbooks/${id}$`))

  // No draft was written: the editor opens on the published version, untouched.
  await a.page.goto(`${world.server.url}/edit/runbooks/${id}`)
  await a.page.waitForFunction((text) => {
    const value = (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value
    return value === text
  }, v2)
  assert.equal(await a.page.getByText('Draft saved on this phone.').count(), 0)
  const after = await server.versions(id)
  assert.equal(after.publishedVersion, 2)
  assert.deepEqual(
    after.versions.map((v) => [v.version, v.status, v.stale]),
    [
      [1, 'published', false],
      [2, 'published', false],
      [3, 'proposed', true],
    ],
  )
  await a.context.close()
})
