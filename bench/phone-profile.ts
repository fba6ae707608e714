/**
 * Where the phone scale suite's memory and start time go (a developer tool,
 * not a benchmark): seeds the phone of bench/phone-scale.ts once into a
 * browser profile kept in PROFILE_DIR (default /tmp/cp-phone-profile), then
 * opens /incidents offline and prints
 *  - the JS heap (after a GC) once the list is drawn and 10 s later;
 *  - a sampling heap profile of what is still alive then, by allocating function;
 *  - a CPU profile of a cold start at 4× CPU up to "Declare incident" usable, by function.
 * Run: npx tsx bench/phone-profile.ts (needs npm run build).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core'
import type { IncidentEvent } from '../src/domain/events'
import { CHROME_FLAGS, chromePath, enterName, PHONE, startServer } from '../tests/e2e/harness'
import { ensureServiceWorker, NAME_SHIM, seedEvents, stopSeedServer, summariesWritten } from './lib/phone'
import { CHUNK, EVENTS_EACH, incident, INCIDENTS } from './phone-scale'
import { interactiveObserver } from './suites/cold-start'

const DIR = process.env.PROFILE_DIR ?? '/tmp/cp-phone-profile'
const PORT = 41717
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  selfSize: number
  children: SamplingNode[]
}
interface CpuNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}

function frameName(f: SamplingNode['callFrame']): string {
  const file = f.url.split('/').pop() ?? ''
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`
}

function top(map: Map<string, number>, n: number, unit: (v: number) => string): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `    ${unit(v).padStart(10)}  ${k}`)
    .join('\n')
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
  return heap.usedSize / 1e6
}

async function seed(context: BrowserContext, url: string): Promise<void> {
  const page = await context.newPage()
  await page.evaluate(NAME_SHIM)
  await page.goto(url)
  await enterName(page, 'Bench Scale')
  await page.goto(`${url}/blank.html`)
  for (let from = 0; from < INCIDENTS; from += CHUNK) {
    const events: IncidentEvent[] = []
    for (let i = from; i < Math.min(INCIDENTS, from + CHUNK); i++) events.push(...incident(i))
    await seedEvents(page, events, 'acknowledged', { reload: false })
  }
  console.log(`seeded ${INCIDENTS * EVENTS_EACH} events`)
  await page.close()
}

/** Open the app until its summaries are written (the first open after seeding folds everything once). */
async function settle(context: BrowserContext, url: string): Promise<void> {
  const page = await context.newPage()
  const t0 = Date.now()
  await page.goto(`${url}/incidents`)
  await summariesWritten(page, 900_000)
  console.log(`summaries written ${Date.now() - t0} ms after opening the app`)
  await ensureServiceWorker(page)
  await page.close()
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true })
  const seeded = existsSync(join(DIR, 'seeded'))
  const srv = await startServer({ port: PORT, dataDir: join(DIR, 'server') })
  const context = await chromium.launchPersistentContext(join(DIR, 'chrome'), {
    executablePath: chromePath(),
    headless: true,
    args: CHROME_FLAGS,
    ...PHONE,
  })
  await context.addInitScript({ content: NAME_SHIM })
  try {
    if (!seeded) {
      await seed(context, srv.url)
      writeFileSync(join(DIR, 'seeded'), '')
    }
    await settle(context, srv.url)
    if (seeded) {
      // Another build since the seeding: its service worker and precache replace the old ones (the data stays).
      const page = await context.newPage()
      await page.goto(`${srv.url}/blank.html`)
      await page.evaluate(async () => {
        for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister()
        for (const key of await caches.keys()) await caches.delete(key)
      })
      await page.goto(`${srv.url}/incidents`)
      await ensureServiceWorker(page)
      await page.close()
    }
    await context.addInitScript(interactiveObserver)
    await context.setOffline(true)
    for (const p of context.pages()) await p.close()
    // Heap, with a sampling profile of what stays alive.
    const page: Page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await page.goto(`${srv.url}/blank.html`)
    await cdp.send('HeapProfiler.enable')
    await cdp.send('HeapProfiler.startSampling', { samplingInterval: 8192 })
    const t0 = Date.now()
    await page.goto(`${srv.url}/incidents`)
    await page.waitForSelector('.incident-card', { timeout: 120_000 })
    console.log(`list drawn after ${Date.now() - t0} ms (no throttling)`)
    console.log(`heap with the list drawn: ${(await heapMb(cdp)).toFixed(1)} MB`)
    await sleep(Number(process.env.SETTLE_MS ?? 10_000))
    console.log(`heap 10 s later: ${(await heapMb(cdp)).toFixed(1)} MB`)
    // Does another tab of the app count in this one's heap (one renderer process for both)?
    const other = await context.newPage()
    await other.goto(`${srv.url}/incidents`)
    await other.waitForSelector('.incident-card', { timeout: 120_000 })
    await sleep(Number(process.env.SETTLE_MS ?? 10_000))
    console.log(`heap with a second tab of the app open: ${(await heapMb(cdp)).toFixed(1)} MB`)
    await other.close()
    console.log(`heap once it closed: ${(await heapMb(cdp)).toFixed(1)} MB`)
    const { profile } = (await cdp.send('HeapProfiler.getSamplingProfile')) as { profile: { head: SamplingNode } }
    await cdp.send('HeapProfiler.stopSampling')
    const self = new Map<string, number>()
    const stacks = new Map<string, number>()
    const walk = (node: SamplingNode, path: string[]) => {
      const name = frameName(node.callFrame)
      const here = [...path, name]
      if (node.selfSize) {
        self.set(name, (self.get(name) ?? 0) + node.selfSize)
        const key = here.slice(-6).join(' < ')
        stacks.set(key, (stacks.get(key) ?? 0) + node.selfSize)
      }
      for (const c of node.children) walk(c, here)
    }
    walk(profile.head, [])
    const mb = (v: number) => `${(v / 1e6).toFixed(2)} MB`
    console.log(`live allocations by function (sampled):\n${top(self, 25, mb)}`)
    console.log(`live allocations by stack (last 6 frames):\n${top(stacks, 15, mb)}`)
    const perf = await page.evaluate(() =>
      performance
        .getEntriesByType('measure')
        .map((e) => `${e.name} ${e.startTime.toFixed(0)}+${e.duration.toFixed(0)}`)
        .join('\n    '),
    )
    console.log(`measures:\n    ${perf}`)
    await page.close()
    // CPU of a cold start at 4×.
    const cold = await context.newPage()
    const ccdp = await context.newCDPSession(cold)
    await ccdp.send('ServiceWorker.enable')
    await ccdp.send('ServiceWorker.stopAllWorkers')
    await ccdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
    await ccdp.send('Profiler.enable')
    await ccdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cold.goto(`${srv.url}/blank.html`)
    await ccdp.send('Profiler.start')
    await cold.goto(`${srv.url}/incidents`, { waitUntil: 'commit' })
    await cold.waitForFunction(() => (window as unknown as { __benchInteractive?: number }).__benchInteractive, null, {
      polling: 50,
      timeout: 60_000,
    })
    const at = await cold.evaluate(() => (window as unknown as { __benchInteractive: number }).__benchInteractive)
    const { profile: cpu } = (await ccdp.send('Profiler.stop')) as {
      profile: { nodes: CpuNode[]; samples: number[]; timeDeltas: number[] }
    }
    console.log(`cold start at 4×: interactive at ${at.toFixed(0)} ms`)
    const byId = new Map(cpu.nodes.map((n) => [n.id, n]))
    const selfMs = new Map<string, number>()
    for (let i = 0; i < cpu.samples.length; i++) {
      const n = byId.get(cpu.samples[i]!)!
      const name = frameName(n.callFrame)
      selfMs.set(name, (selfMs.get(name) ?? 0) + (cpu.timeDeltas[i + 1] ?? 0) / 1000)
    }
    console.log(`CPU self time by function (whole profile):\n${top(selfMs, 30, (v) => `${v.toFixed(0)} ms`)}`)
    const timings = await cold.evaluate(() =>
      [...performance.getEntriesByType('resource'), ...performance.getEntriesByType('measure')]
        .map((e) => `${e.startTime.toFixed(0)}+${e.duration.toFixed(0)} ${e.name.split('/').pop()}`)
        .join('\n    '),
    )
    console.log(`entries:\n    ${timings}`)
  } finally {
    await context.close()
    await stopSeedServer()
    await srv.stop()
  }
}

await main()
