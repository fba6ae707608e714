/**
 * Cold start offline: a phone whose service worker is installed, network off.
 * Each sample opens a new tab after stopping every service worker (as when a
 * phone reopens the app after a while), navigates to /incidents, and takes
 * performance.now() (origin: navigation start) when the "Declare incident"
 * button is in the DOM, visible and enabled — seen by a MutationObserver
 * installed before any page script runs. The limit is blank.html, precached by
 * the same worker and holding only that button, measured the same way in the
 * same run, alternating with the app so drift hits both alike.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { median } from '../lib/stats'

const MARK = '__benchInteractive'

/** Runs in every page before its own scripts: records when the Declare button becomes usable. */
export function interactiveObserver(): void {
  const w = window as unknown as Record<string, number | undefined>
  const found = (): boolean => {
    for (const b of document.querySelectorAll('button')) {
      if (b.textContent?.trim() === 'Declare incident' && !b.disabled && b.checkVisibility()) return true
    }
    return false
  }
  const observer = new MutationObserver(() => {
    if (w.__benchInteractive === undefined && found()) {
      w.__benchInteractive = performance.now()
      observer.disconnect()
    }
  })
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['disabled', 'hidden', 'class', 'style'],
  })
}

export interface ColdStartSample {
  ms: number
  /** The navigation was answered by the service worker. */
  fromWorker: boolean
  assets: string[]
}

/** One cold open of `path` in a new tab; `cpuRate` > 1 throttles the page's CPU (CDP). */
export async function coldOpen(
  context: BrowserContext,
  url: string,
  path: string,
  cpuRate: number,
): Promise<ColdStartSample> {
  const page: Page = await context.newPage()
  try {
    const cdp = await context.newCDPSession(page)
    // Stop workers so each sample includes starting the service worker.
    await cdp.send('ServiceWorker.enable')
    await cdp.send('ServiceWorker.stopAllWorkers')
    if (cpuRate > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuRate })
    await page.goto(`${url}${path}`, { waitUntil: 'commit' })
    await page.waitForFunction((mark) => (window as unknown as Record<string, unknown>)[mark] !== undefined, MARK, {
      timeout: 30_000,
      polling: 50,
    })
    // The assets are those the page asked for before it was interactive (Resource Timing, same clock as the mark):
    // on a busy machine the lazy chunks that load after the first screen would otherwise be counted as the shell.
    const { ms, fromWorker, assets } = await page.evaluate((mark) => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined
      const at = (window as unknown as Record<string, number>)[mark]!
      return {
        ms: at,
        fromWorker: (nav?.workerStart ?? 0) > 0 && !!navigator.serviceWorker.controller,
        assets: performance
          .getEntriesByType('resource')
          .filter((e) => e.startTime <= at)
          .map((e) => new URL(e.name).pathname)
          .filter((p) => /^\/assets\/.*\.(m?js|css)$/.test(p)),
      }
    }, MARK)
    return { ms, fromWorker, assets }
  } finally {
    await page.close()
  }
}

export interface ColdStartResult {
  appMs: number
  blankMs: number
  /** JS and CSS fetched before the app was interactive (first sample). */
  assets: string[]
}

export async function coldStart(
  context: BrowserContext,
  url: string,
  cpuRate: number,
  samples: number,
  warmup: number,
): Promise<ColdStartResult> {
  const app: number[] = []
  const blank: number[] = []
  let assets: string[] = []
  await context.setOffline(true)
  try {
    for (let i = 0; i < warmup + samples; i++) {
      const a = await coldOpen(context, url, '/incidents', cpuRate)
      const b = await coldOpen(context, url, '/blank.html', cpuRate)
      if (!a.fromWorker || !b.fromWorker)
        throw new Error('a cold-start page was not served by the service worker: the numbers would be meaningless')
      if (i === 0) assets = a.assets
      if (i >= warmup) {
        app.push(a.ms)
        blank.push(b.ms)
      }
    }
  } finally {
    await context.setOffline(false)
  }
  return { appMs: median(app), blankMs: median(blank), assets }
}
