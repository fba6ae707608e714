/**
 * End-to-end harness: the real server (server/main.ts) on 127.0.0.1 serving
 * the built app, and Debian's Chromium driven by playwright-core.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before } from 'node:test'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'

export const ROOT = resolve(import.meta.dirname, '../..')
export const DIST_DIR = process.env.E2E_DIST_DIR ?? join(ROOT, 'dist')
const TSX = join(ROOT, 'node_modules/.bin/tsx')

export const CHROME_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

export function chromePath(): string {
  const path = process.env.CHROME_PATH ?? '/usr/bin/chromium'
  if (!existsSync(path)) {
    throw new Error(`No Chromium at ${path}: install it with "apt-get install -y chromium" (or set CHROME_PATH).`)
  }
  return path
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath(), headless: true, args: CHROME_FLAGS })
}

export interface RunningServer {
  url: string
  dataDir: string
  port: number
  process: ChildProcess
  /** SIGTERM and wait. */
  stop(): Promise<void>
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  port?: number
  env?: Record<string, string>
  /** How long the server may take to listen (ms); default 90 s. A server holding a large log folds it first. */
  startTimeoutMs?: number
}

/** Start the real server. Pass the same dataDir (and port) to restart it. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(join(DIST_DIR, 'index.html')))
    throw new Error(`No built app in ${DIST_DIR}: run "npm run build" first.`)
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cp-e2e-'))
  const child = spawn(TSX, [join(ROOT, 'server/main.ts')], {
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DIST_DIR,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d) => {
    stderr += String(d)
  })
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = ''
    // A cap, not a speed check: tsx compiles the server first, which on a busy 2-core machine took over 20 s.
    const limitMs = options.startTimeoutMs ?? 90_000
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${limitMs / 1000} s\n${out}\n${stderr}`)),
      limitMs,
    )
    child.stdout!.on('data', (d) => {
      out += String(d)
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1]!)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code})\n${out}\n${stderr}`))
    })
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return {
    url,
    dataDir,
    port: Number(new URL(url).port),
    process: child,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
  }
}

/**
 * Issue an access token with the real CLI (`npm run token`): its first line is the token.
 * `flags`: the CLI's grants, `--admin` or `--read-only`.
 */
export function issueToken(dataDir: string, name: string, flags: readonly string[] = []): string {
  const out = execFileSync(TSX, [join(ROOT, 'server/token-cli.ts'), '--name', name, ...flags], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  })
  return out.split('\n')[0]!.trim()
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/**
 * Wait until a service worker controls the page. The first load is not
 * controlled (no clients.claim), so wait for activation, then reload.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration()
      return reg?.active?.state ?? 'none'
    })
    if (state === 'activated') break
    await page.waitForTimeout(100)
  }
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) await page.reload()
  const controlled = await page.evaluate(() => !!navigator.serviceWorker.controller)
  if (!controlled) throw new Error('service worker never took control of the page')
}

/** A 360 × 740 touch phone: the browser context options of the phones in these tests. */
export const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true } as const

/** First run: answers the welcome screen with `name` and waits for the incidents list. */
export async function enterName(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').fill(name)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'Incidents' }).waitFor()
}

/**
 * A phone: a fresh browser context with the responder's name set on first run.
 * `prepare` runs on the context before its first page opens (install a fake clock, an init script).
 */
export async function newPhone(
  browser: Browser,
  baseUrl: string,
  name: string,
  prepare?: (context: BrowserContext) => Promise<void>,
  /** Added to the phone's context options, e.g. `{ serviceWorkers: 'block' }` for a first visit the worker never holds. */
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, ...options })
  await prepare?.(context)
  const page = await context.newPage()
  await page.goto(baseUrl)
  await enterName(page, name)
  return { context, page }
}

export interface E2eWorld {
  /** The real server of this test file; after `restartServer` the new one. */
  readonly server: RunningServer
  readonly browser: Browser
  /** Stop the server, run `whileDown`, then start it again on the same data folder and port (phones keep their URL). */
  restartServer(whileDown: () => Promise<void>): Promise<void>
  /** A temporary folder removed after the file's tests. */
  tempDir(prefix: string): string
}

/**
 * One server and one browser per test file: registers node:test before/after
 * hooks that start them and, whatever happened, close the browser, stop the
 * server and remove its data folder and every tempDir. Read the getters
 * inside tests only: they throw until `before` has run.
 */
export function registerE2eWorld(options: StartOptions = {}): E2eWorld {
  let server: RunningServer | undefined
  let browser: Browser | undefined
  const dirs: string[] = []
  before(async () => {
    server = await startServer(options)
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
    if (server) removeDir(server.dataDir)
    for (const dir of dirs) removeDir(dir)
  })
  return {
    get server() {
      if (!server) throw new Error('the e2e server has not started: use world.server inside a test')
      return server
    },
    get browser() {
      if (!browser) throw new Error('the e2e browser has not started: use world.browser inside a test')
      return browser
    },
    async restartServer(whileDown) {
      const { dataDir, port } = this.server
      await this.server.stop()
      // Back up even when a check while down fails, so the file's later tests still have a server.
      try {
        await whileDown()
      } finally {
        server = await startServer({ ...options, dataDir, port })
      }
    },
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
  }
}
