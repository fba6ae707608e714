/**
 * Vite plugin: the team's Markdown runbooks become part of the app.
 *
 *  - `virtual:runbooks` exports the catalog (RunbookManifest): titles, summaries,
 *    tags; no HTML, so the first route stays small.
 *  - `runbooks/<id>.json` per runbook (RunbookPage: html, toc, steps) and
 *    `<assetsDir>/runbook-search-<hash>.json` (the prebuilt MiniSearch index) are
 *    emitted into dist, where the PWA's `**\/*.json` glob precaches them: after
 *    the next deploy every runbook opens and searches offline.
 *  - In dev the same files are served from memory and rebuilt when a .md changes.
 *
 * A broken runbook never fails the build: it becomes a warning naming the file.
 * The exception is an error that would publish a wrong command (a parameter
 * used but not declared): `vite build` stops on it, naming the file and the
 * parameter; the dev server logs it and leaves that runbook out.
 */
import { createHash } from 'node:crypto'
import { resolve, sep } from 'node:path'
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite'
import type { CompiledRunbook, RunbookManifest, RunbookPage } from '../../src/runbooks/types'
import { collectRunbooks, toManifest, toMeta, type CollectedRunbooks } from './collect'
import { serializeSearchIndex } from './search-index'

export interface RunbooksPluginOptions {
  /** Folder of .md files, relative to the Vite root. Default `runbooks`. */
  dir?: string
}

const VIRTUAL_ID = 'virtual:runbooks'
const RESOLVED_ID = `\0${VIRTUAL_ID}`
/** Where the per-runbook JSON goes in dist; src/runbooks/load.ts fetches from the same place. */
export const RUNBOOK_ASSET_DIR = 'runbooks'

export interface RunbookBuild {
  collected: CollectedRunbooks
  manifest: RunbookManifest
  /** dist-relative file name → JSON text */
  assets: Map<string, string>
}

/** Everything the plugin emits, computed once per build (exported for tests and the benchmark). */
export function buildRunbooks(dir: string, assetsDir = 'assets', generatedAt = buildTime()): RunbookBuild {
  const collected = collectRunbooks(dir)
  const assets = new Map<string, string>()
  for (const runbook of collected.runbooks)
    assets.set(`${RUNBOOK_ASSET_DIR}/${runbook.id}.json`, JSON.stringify(toPage(runbook)))
  let searchIndex: string | null = null
  if (collected.runbooks.length > 0) {
    const json = serializeSearchIndex(collected.runbooks)
    // Content-hashed: the catalog in the JS bundle always names the index built with it.
    searchIndex = `${assetsDir}/runbook-search-${createHash('sha256').update(json).digest('hex').slice(0, 10)}.json`
    assets.set(searchIndex, json)
  }
  return { collected, manifest: toManifest(collected.runbooks, searchIndex, generatedAt), assets }
}

export function runbooksPlugin(options: RunbooksPluginOptions = {}): Plugin {
  let config: ResolvedConfig
  let dir = ''
  let current: RunbookBuild | null = null

  const rebuild = (warn: (message: string) => void, fail: (message: string) => void = warn): RunbookBuild => {
    current = buildRunbooks(dir, config.build.assetsDir)
    for (const warning of current.collected.warnings) warn(warning)
    if (current.collected.errors.length > 0) fail(`runbook errors:\n${current.collected.errors.join('\n')}`)
    return current
  }

  return {
    name: 'command-post:runbooks',

    configResolved(resolved) {
      config = resolved
      dir = resolve(resolved.root, options.dir ?? 'runbooks')
    },

    buildStart() {
      if (config.command === 'serve' && current) return
      const built = rebuild(
        (message) => this.warn(message),
        (message) => (config.command === 'build' ? this.error(message) : config.logger.error(`[runbooks] ${message}`)),
      )
      for (const file of built.collected.files) this.addWatchFile(file)
    },

    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : null
    },

    load(id) {
      if (id !== RESOLVED_ID) return null
      const built = current ?? rebuild((message) => config.logger.warn(message))
      return `export default ${JSON.stringify(built.manifest)}\n`
    },

    generateBundle() {
      if (!current) return
      for (const [fileName, source] of current.assets) this.emitFile({ type: 'asset', fileName, source })
    },

    configureServer(server) {
      server.watcher.add(dir)
      const onChange = (file: string) => {
        if (!file.startsWith(dir + sep) || !/\.md$/i.test(file)) return
        rebuild(
          (message) => config.logger.warn(`[runbooks] ${message}`),
          (message) => config.logger.error(`[runbooks] ${message}`),
        )
        invalidateCatalog(server)
        server.ws.send({ type: 'full-reload' })
      }
      server.watcher.on('add', onChange)
      server.watcher.on('change', onChange)
      server.watcher.on('unlink', onChange)

      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split(/[?#]/)[0] ?? ''
        if (!path.startsWith(config.base)) return next()
        let name: string
        try {
          name = decodeURIComponent(path.slice(config.base.length))
        } catch {
          return next()
        }
        const built = current ?? rebuild((message) => config.logger.warn(`[runbooks] ${message}`))
        const source = built.assets.get(name)
        if (source === undefined) return next()
        res.setHeader('Content-Type', 'application/json; charset=utf-8')
        res.setHeader('Cache-Control', 'no-cache')
        res.end(source)
      })
    },
  }
}

function toPage(runbook: CompiledRunbook): RunbookPage {
  const { html, toc, steps, parameters } = runbook
  return { ...toMeta(runbook), html, toc, steps, parameters }
}

function invalidateCatalog(server: ViteDevServer): void {
  for (const environment of Object.values(server.environments)) {
    const module = environment.moduleGraph.getModuleById(RESOLVED_ID)
    if (module) environment.moduleGraph.invalidateModule(module)
  }
}

/** Honours SOURCE_DATE_EPOCH so a rebuild of the same sources gives the same bundle. */
function buildTime(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH)
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString()
}
