/**
 * Renders every PNG app icon from the one source, public/icon.svg, with the
 * Chromium the e2e tests already use (no native image library to install).
 * The PNGs are committed; run this again after changing the SVG:
 *
 *   npx tsx build/icons/render-icons.ts
 *
 * "any" icons keep the SVG's rounded corners (transparent outside them).
 * Maskable and Apple icons are full-bleed: the launcher (Android) or iOS cuts
 * its own shape, so the mark is shrunk into the maskable safe zone (the
 * centre circle of 80 % diameter) on the SVG's own background colour.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const ROOT = resolve(import.meta.dirname, '../..')
const PUBLIC = join(ROOT, 'public')

export interface IconSpec {
  file: string
  size: number
  /** Full-bleed background behind the mark (maskable, Apple). */
  fullBleed: boolean
  /** Size of the SVG relative to the icon. */
  scale: number
}

export const ICONS: readonly IconSpec[] = [
  { file: 'pwa-192x192.png', size: 192, fullBleed: false, scale: 1 },
  { file: 'pwa-512x512.png', size: 512, fullBleed: false, scale: 1 },
  { file: 'maskable-icon-192x192.png', size: 192, fullBleed: true, scale: 0.8 },
  { file: 'maskable-icon-512x512.png', size: 512, fullBleed: true, scale: 0.8 },
  { file: 'apple-touch-icon-180x180.png', size: 180, fullBleed: true, scale: 0.9 },
]

/** The fill of the SVG's `#background` rect: the one colour maskable icons bleed with. */
export function backgroundOf(svg: string): string {
  const match = /<rect[^>]*id="background"[^>]*fill="(#[0-9a-fA-F]{3,8})"/.exec(svg)
  if (!match) throw new Error('public/icon.svg needs <rect id="background" fill="#…">')
  return match[1]!
}

function pageFor(svg: string, spec: IconSpec): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
  const inner = Math.round(spec.size * spec.scale)
  const bg = spec.fullBleed ? backgroundOf(svg) : 'transparent'
  return `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${spec.size}px;height:${spec.size}px;display:grid;place-items:center;background:${bg}">
<img src="${src}" width="${inner}" height="${inner}" alt=""></div></body></html>`
}

async function main(): Promise<void> {
  const svg = readFileSync(join(PUBLIC, 'icon.svg'), 'utf8')
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 })
    for (const spec of ICONS) {
      await page.setViewportSize({ width: spec.size, height: spec.size })
      await page.setContent(pageFor(svg, spec))
      await page.locator('img').evaluate((img: HTMLImageElement) => img.decode())
      await page.screenshot({
        path: join(PUBLIC, spec.file),
        omitBackground: true,
        clip: { x: 0, y: 0, width: spec.size, height: spec.size },
      })
      console.log(`public/${spec.file}`)
    }
  } finally {
    await browser.close()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main()
