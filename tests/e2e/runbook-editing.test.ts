/**
 * Editing runbooks on the phone, in real Chromium against the real server with
 * RUNBOOK_REVIEW=required: phone A edits offline (the draft survives a
 * reload), proposes while offline (queued) and the proposal reaches the server
 * once online; phone B sees it, reads the diff and publishes it, while A's own
 * attempt to publish it is refused with the server's message, and A then
 * shows the published version, offline too. A proposal over
 * 1 MiB is refused with the server's message and the draft is kept.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { issueToken, newPhone, registerE2eWorld, waitForServiceWorker } from './harness'
import { openJoinLink, SyncIndicator } from './sync-pages'

const world = registerE2eWorld({ env: { RUNBOOK_REVIEW: 'required' } })
const ID = 'dhcp-scope-exhausted'
const STEP = 'Tell the front office the guest network is back'

async function joinedPhone(name: string) {
  const token = issueToken(world.server.dataDir, name)
  const phone = await newPhone(world.browser, world.server.url, name)
  await openJoinLink(phone.page, world.server.url, token)
  await new SyncIndicator(phone.page).waitFor(/^Synced$/)
  return { ...phone, token }
}

async function history(token: string) {
  const response = await fetch(`${world.server.url}/api/runbooks/${ID}/versions`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return (await response.json()) as {
    publishedVersion: number
    versions: { version: number; author: string; source?: string }[]
  }
}

test('a runbook edited offline on one phone is proposed when online, reviewed and published by another', async () => {
  const a = await joinedPhone('Ana')
  await waitForServiceWorker(a.page)
  const b = await joinedPhone('Ben')

  // Opened once online: the published source is kept on the phone for editing offline.
  await a.page.goto(`${world.server.url}/runbooks/${ID}`)
  await a.page.getByRole('link', { name: 'Edit runbook' }).click()
  const source = a.page.getByLabel('Runbook source')
  await a.page.waitForFunction(() =>
    (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('DHCP scope exhausted'),
  )

  await a.context.setOffline(true)
  await source.click()
  await source.press('Control+End')
  await a.page.getByRole('button', { name: 'Insert step' }).click()
  await a.page.keyboard.type(STEP)
  await a.page.getByLabel('Change note').fill('Say when it is back')
  await a.page.getByRole('status').filter({ hasText: 'Draft saved on this phone.' }).waitFor()
  // The preview is the build's pipeline, compiled on the phone.
  await a.page.getByRole('button', { name: 'Preview' }).click()
  await a.page.getByRole('region', { name: 'Preview' }).getByText(STEP).waitFor()

  await a.page.reload()
  await a.page.getByRole('heading', { name: /Edit/ }).waitFor()
  await a.page.waitForFunction(
    (step) => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes(step),
    STEP,
  )
  assert.equal(await a.page.getByLabel('Change note').inputValue(), 'Say when it is back')

  await a.page.getByRole('button', { name: 'Propose' }).click()
  await a.page.getByText('Queued — will be proposed when online.').waitFor()
  assert.equal((await history(b.token)).versions.length, 1)

  await a.context.setOffline(false)
  await a.page.getByText(/Proposed as version 2/).waitFor({ timeout: 30_000 })
  const after = await history(b.token)
  assert.deepEqual(
    after.versions.map((v) => [v.version, v.author]),
    [
      [1, 'repository'],
      [2, 'Ana'],
    ],
  )

  // B reviews: the diff shows the added step, said as "Added" and marked +.
  await b.page.goto(`${world.server.url}/history/runbooks/${ID}`)
  await b.page.getByRole('button', { name: 'Publish version 2' }).waitFor()
  await b.page.getByRole('button', { name: 'Show changes' }).click()
  const diff = b.page.getByRole('region', { name: 'Changes from version 1 to version 2' })
  const added = diff.locator('li', { hasText: STEP })
  await added.waitFor()
  assert.match((await added.textContent()) ?? '', /^\+\s*Added: - \[ \] Tell the front office/)

  // A may not publish its own proposal when review is required.
  await a.page.getByRole('link', { name: 'History and review' }).click()
  await a.page.getByRole('button', { name: 'Publish version 2' }).click()
  await a.page
    .getByRole('alert')
    .filter({ hasText: /review is required.*someone other than Ana/ })
    .waitFor()
  assert.equal((await history(a.token)).publishedVersion, 1)

  await b.page.getByRole('button', { name: 'Publish version 2' }).click()
  await b.page.getByRole('status').filter({ hasText: 'Published version 2' }).waitFor()
  assert.equal((await history(a.token)).publishedVersion, 2)

  // A's phone receives the published version (the stream's notice, or its next round) and keeps it offline.
  await a.page.goto(`${world.server.url}/runbooks/${ID}`)
  const version = a.page.locator('.runbook-review__version')
  await version.filter({ hasText: /^Version 2$/ }).waitFor({ timeout: 45_000 })
  await a.context.setOffline(true)
  await a.page.reload()
  await version.filter({ hasText: /^Version 2$/ }).waitFor()
  await a.page.getByText(STEP).waitFor()

  await a.context.close()
  await b.context.close()
})

test('a proposal over 1 MiB is refused with the server’s message and the draft is kept', async () => {
  const a = await joinedPhone('Cai')
  await a.page.goto(`${world.server.url}/edit/runbooks/${ID}`)
  const source = a.page.getByLabel('Runbook source')
  await a.page.waitForFunction(() =>
    (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.includes('DHCP scope exhausted'),
  )
  const big = `# Too big\n\n${'x'.repeat(1024 * 1024)}\n`
  await source.fill(big)
  await a.page.getByRole('button', { name: 'Propose' }).click()
  await a.page.getByText(/Not proposed: source is \d+ bytes/).waitFor({ timeout: 30_000 })
  await a.page.getByText(/your draft is kept/).waitFor()

  await a.page.reload()
  await a.page.waitForFunction(
    (length) => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.length === length,
    big.length,
  )
  assert.equal(
    (await history(a.token)).versions.every((v) => v.author !== 'Cai'),
    true,
  )
  await a.context.close()
})
