/**
 * The installable offline app, in real Chromium against the real server:
 * once the service worker controls the page, the app opens and works with
 * no network; Chromium finds nothing stopping an install; a new version
 * waits for the responder and keeps what they were typing.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, cpSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import {
  CHROME_FLAGS,
  DIST_DIR,
  chromePath,
  enterName,
  newPhone,
  removeDir,
  startServer,
  registerE2eWorld,
  waitForServiceWorker,
} from './harness'
import { AppShell, IncidentPage, IncidentsPage } from './pages'

const world = registerE2eWorld()

/**
 * Every file of the build the service worker must hold (vite.config.ts globPatterns), as URL paths;
 * not the stakeholder status page (globIgnores), which is not part of the app.
 */
function shellFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (
        /\.(js|css|html|svg|json)$/.test(entry.name) &&
        entry.name !== 'sw.js' &&
        !/^(status\.html|stakeholder-page-.*)$/.test(entry.name)
      )
        out.push(`/${relative(dir, path).split('\\').join('/')}`)
    }
  }
  walk(dir)
  return out.sort()
}

/** URL paths in the service worker's precache (query strings of revisioned entries dropped). */
async function precachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = []
    // Workbox names its precache workbox-precache-v2-<scope>; other caches are not the shell's.
    for (const name of (await caches.keys()).filter((n) => n.includes('precache'))) {
      const cache = await caches.open(name)
      for (const request of await cache.keys()) paths.push(new URL(request.url).pathname)
    }
    return paths.sort()
  })
}

/** A row of the app's key-value settings, read straight from IndexedDB. */
async function storedSetting(page: Page, key: string): Promise<unknown> {
  return page.evaluate(async (k) => {
    const open = indexedDB.open('command-post')
    const db = await new Promise<IDBDatabase>((resolve) => {
      open.onsuccess = () => resolve(open.result)
    })
    const get = db.transaction('kv').objectStore('kv').get(`setting:${k}`)
    return new Promise<unknown>((resolve) => {
      get.onsuccess = () => resolve((get.result as { value?: unknown } | undefined)?.value)
    })
  }, key)
}

test('once the service worker controls it, the app opens and works with no network', async () => {
  const { context, page } = await newPhone(world.browser, world.server.url, 'Dana')
  await waitForServiceWorker(page)

  // The app shell, every lazy route chunk and every runbook: all of the build is in the precache.
  const precached = await precachedPaths(page)
  for (const file of shellFiles(DIST_DIR)) assert.ok(precached.includes(file), `${file} is precached`)
  assert.equal(new Set(precached).size, precached.length, 'no duplicate precache entries')
  // The API is never answered with the shell, even for a navigation.
  const health = await page.goto(`${world.server.url}/api/health`)
  assert.match(health!.headers()['content-type'] ?? '', /application\/json/)
  assert.equal((await health!.json()).ok, true)

  await context.setOffline(true)
  await page.goto(world.server.url)
  await page.getByRole('heading', { name: 'Incidents' }).waitFor()
  const incident = await new IncidentsPage(page).declare('Fiber cut between district office and high school', 1)
  await incident.log('Confirmed: no link light on the district office uplink')
  const id = incident.id()

  await page.reload()
  const reloaded = new IncidentPage(page)
  await reloaded.timeline.getByText('Confirmed: no link light on the district office uplink').waitFor()
  assert.deepEqual(
    (await reloaded.entries()).map((text) => text.trim()),
    ['Confirmed: no link light on the district office uplink'],
  )

  // Deep links open offline from the shell.
  await page.goto(`${world.server.url}/incidents/${id}`)
  await page.getByRole('heading', { name: 'Fiber cut between district office and high school' }).waitFor()
  await page.goto(`${world.server.url}/runbooks`)
  await page.getByRole('heading', { name: 'Runbooks', level: 1 }).waitFor()
  await page.goto(`${world.server.url}/runbooks/switch-down`)
  await page.getByRole('heading', { level: 1 }).waitFor()
  assert.equal(await page.getByRole('link', { name: 'Runbooks' }).count(), 1)

  // Nothing from /api comes out of a cache while offline.
  const apiOffline = await page.evaluate(() =>
    fetch('/api/health').then(
      () => 'answered',
      () => 'failed',
    ),
  )
  assert.equal(apiOffline, 'failed')

  // Declaring the first incident was the moment to ask the browser to keep the data; Settings shows where it stands.
  assert.equal(await storedSetting(page, 'storagePersistAsked'), true)
  await page.getByRole('link', { name: 'Settings' }).click()
  const storage = new AppShell(page).storageStatus
  await storage
    .getByText(/persistent/i)
    .first()
    .waitFor()
  await storage.getByText(/^Using .+ of .+\(.+%\)\.$/).waitFor()
  await context.close()
})

test('Chromium reports no installability errors, and the app offers its own install button', async () => {
  const profileDir = world.tempDir('cp-e2e-profile-')
  // Installability is never reported for incognito contexts: ask from a persistent profile.
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromePath(),
    headless: true,
    args: [...CHROME_FLAGS, '--bypass-app-banner-engagement-checks'],
    viewport: { width: 360, height: 740 },
  })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(world.server.url)
    await enterName(page, 'Ines')
    await waitForServiceWorker(page)
    const cdp = await context.newCDPSession(page)
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
    assert.deepEqual(installabilityErrors, [])
    const manifest = await cdp.send('Page.getAppManifest')
    assert.deepEqual(manifest.errors, [])
    const parsed = JSON.parse(manifest.data ?? '{}') as {
      name: string
      id: string
      start_url: string
      display: string
      icons: { purpose?: string }[]
    }
    assert.equal(parsed.name, 'Command Post')
    assert.equal(parsed.start_url, '/incidents')
    assert.equal(parsed.display, 'standalone')
    assert.ok(
      parsed.icons.some((icon) => icon.purpose === 'maskable'),
      'a maskable icon',
    )
    // beforeinstallprompt reached the app: its button shows on the empty incidents list.
    await new AppShell(page).installButton.waitFor({ timeout: 15_000 })
  } finally {
    await context.close()
  }
})

test('a new version waits for the go-ahead, and the reload keeps the log entry being typed', async () => {
  // This test changes the served build, so it gets a server of its own over a copy of it.
  const dist = world.tempDir('cp-e2e-dist-')
  cpSync(DIST_DIR, dist, { recursive: true })
  const own = await startServer({ env: { DIST_DIR: dist } })
  try {
    const { context, page } = await newPhone(world.browser, own.url, 'Sam')
    await waitForServiceWorker(page)
    const incident = await new IncidentsPage(page).declare('Projector network down in room 204', 3)
    await incident.type('Swapped the patch cable, still no link — next: check the switch port')

    // Deploy "the next version": any byte of sw.js that differs makes the browser install it.
    appendFileSync(join(dist, 'sw.js'), '\n// e2e: the next version\n')
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())!.update()
    })
    const shell = new AppShell(page)
    await shell.updateReloadButton.waitFor()
    // It waits: nothing reloads while the responder is typing.
    assert.equal(await incident.draft(), 'Swapped the patch cable, still no link — next: check the switch port')

    await shell.reloadForUpdate()
    await page.getByRole('heading', { name: 'Projector network down in room 204' }).waitFor()
    const after = new IncidentPage(page)
    assert.equal(await after.draft(), 'Swapped the patch cable, still no link — next: check the switch port')
    assert.deepEqual(await after.entries(), [], 'the draft was kept, not logged')
    assert.equal(await shell.updateBanner.count(), 0)
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration()
      return { waiting: !!reg?.waiting, controlled: !!navigator.serviceWorker.controller }
    })
    assert.deepEqual(state, { waiting: false, controlled: true })
    await context.close()
  } finally {
    await own.stop()
    removeDir(own.dataDir)
  }
})
