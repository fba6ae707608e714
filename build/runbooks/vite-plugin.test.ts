import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import MiniSearch from 'minisearch'
import { build, createLogger } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { INDEX_OPTIONS } from '../../src/runbooks/search-options'
import type { RunbookPage } from '../../src/runbooks/types'
import { buildRunbooks, runbooksPlugin } from './vite-plugin'

const roots: string[] = []
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A project folder with runbooks/, including the kinds of mistakes people make. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'cp-runbooks-'))
  roots.push(root)
  const dir = join(root, 'runbooks')
  mkdirSync(join(dir, 'network'), { recursive: true })
  writeFileSync(
    join(dir, 'network', 'switch-down.md'),
    '---\ntitle: Switch down\ntags: [network]\n---\n# Switch down\n\n- [ ] Ping it\n- [ ] Check [the outage](../outage.md#scope)\n',
  )
  writeFileSync(
    join(dir, 'outage.md'),
    '---\ntitle: Campus outage\nupdated: 2026-11-01\n---\n## Scope\n\n- [ ] Call the office\n',
  )
  writeFileSync(join(dir, 'unclosed.md'), '---\ntitle: Broken\n\nNo closing fence and a [dead link](nowhere.md).\n')
  writeFileSync(join(dir, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]))
  writeFileSync(join(dir, 'Outage.MD'), '# Same id as outage.md on a case-insensitive disk\n')
  writeFileSync(join(dir, 'notes.txt'), 'not a runbook')
  return root
}

describe('buildRunbooks', () => {
  it('emits a page per runbook and a hashed index, and warns by file instead of failing', () => {
    const root = fixture()
    const result = buildRunbooks(join(root, 'runbooks'), 'assets', '2026-11-24T00:00:00.000Z')
    expect(result.manifest.runbooks.map((r) => r.id).sort()).toEqual(['network/switch-down', 'outage', 'unclosed'])
    expect(result.manifest.generatedAt).toBe('2026-11-24T00:00:00.000Z')
    expect(result.manifest.searchIndex).toMatch(/^assets\/runbook-search-[0-9a-f]{10}\.json$/)
    expect([...result.assets.keys()].sort()).toEqual(
      [
        result.manifest.searchIndex,
        'runbooks/network/switch-down.json',
        'runbooks/outage.json',
        'runbooks/unclosed.json',
      ].sort(),
    )

    const warnings = result.collected.warnings.join('\n')
    expect(warnings).toMatch(/runbooks\/binary\.md: skipped, it is not a text file/)
    expect(warnings).toMatch(/runbooks\/(Outage\.MD|outage\.md): skipped, same id "outage"/)
    expect(warnings).toMatch(/runbooks\/unclosed\.md: front matter starts with --- but is never closed/)
    expect(warnings).toMatch(/runbooks\/unclosed\.md: link "nowhere\.md" points to a runbook that does not exist/)

    const page = JSON.parse(result.assets.get('runbooks/network/switch-down.json') ?? '{}') as RunbookPage
    expect(page).toMatchObject({ id: 'network/switch-down', title: 'Switch down', stepCount: 2 })
    expect(page.html).toContain('href="/runbooks/outage#scope"')
    expect(page.steps).toHaveLength(2)
    expect(Object.keys(page).sort()).toEqual([
      'html',
      'id',
      'parameters',
      'reviewBy',
      'reviewed',
      'stepCount',
      'steps',
      'summary',
      'tags',
      'title',
      'toc',
      'updated',
      'version',
    ])
  })

  it('keeps the catalog small: no HTML, no text', () => {
    const result = buildRunbooks(join(fixture(), 'runbooks'))
    const json = JSON.stringify(result.manifest)
    expect(json).not.toContain('<')
    for (const runbook of result.manifest.runbooks)
      expect(Object.keys(runbook).sort()).toEqual([
        'id',
        'reviewBy',
        'reviewed',
        'stepCount',
        'summary',
        'tags',
        'title',
        'updated',
        'version',
      ])
  })

  it('gives the same index file name for the same runbooks', () => {
    const root = fixture()
    expect(buildRunbooks(join(root, 'runbooks')).manifest.searchIndex).toBe(
      buildRunbooks(join(root, 'runbooks')).manifest.searchIndex,
    )
  })

  it('builds an empty catalog from a missing folder', () => {
    const result = buildRunbooks(join(tmpdir(), 'cp-no-such-folder'))
    expect(result.manifest).toMatchObject({ runbooks: [], searchIndex: null })
    expect(result.assets.size).toBe(0)
  })
})

describe('runbooksPlugin in a real vite build', () => {
  it(
    'bundles the catalog, emits the JSON assets and reports broken files as warnings',
    { timeout: 60_000 },
    async () => {
      const root = fixture()
      writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>')
      writeFileSync(
        join(root, 'main.js'),
        "import manifest from 'virtual:runbooks'\ndocument.title = String(manifest.runbooks.length)\n",
      )
      const warnings: string[] = []
      const logger = createLogger('warn', { allowClearScreen: false })
      logger.warn = (message) => void warnings.push(message)
      logger.warnOnce = logger.warn
      const outDir = join(root, 'dist')

      await build({
        root,
        configFile: false,
        logLevel: 'warn',
        customLogger: logger,
        plugins: [runbooksPlugin()],
        build: { outDir, emptyOutDir: true },
      })

      const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).map((f) => f.split('\\').join('/'))
      expect(files).toEqual(
        expect.arrayContaining(['runbooks/network/switch-down.json', 'runbooks/outage.json', 'runbooks/unclosed.json']),
      )
      const indexFile = files.find((f) => /^assets\/runbook-search-[0-9a-f]{10}\.json$/.test(f))
      expect(indexFile).toBeDefined()
      const bundle = files
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(outDir, f), 'utf8'))
        .join('\n')
      expect(bundle).toContain(indexFile)
      expect(bundle).toContain('network/switch-down')
      expect(bundle).not.toContain('step-toggle') // no HTML in the JS bundle

      const index = MiniSearch.loadJSON(readFileSync(join(outDir, indexFile ?? ''), 'utf8'), INDEX_OPTIONS)
      expect(index.search('switch').map((r) => r.id)).toContain('network/switch-down')
      expect(warnings.join('\n')).toMatch(/binary\.md: skipped/)
      expect(warnings.join('\n')).toMatch(/unclosed\.md: front matter/)
    },
  )

  it('keeps MiniSearch out of the chunk that imports the catalog', { timeout: 60_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'cp-runbooks-split-'))
    roots.push(root)
    const src = resolve(import.meta.dirname, '../../src/runbooks')
    writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/main.ts"></script>')
    writeFileSync(
      join(root, 'main.ts'),
      `import { runbooks } from ${JSON.stringify(join(src, 'catalog.ts'))}\n` +
        `document.title = String(runbooks.length)\n` +
        `document.addEventListener('focusin', () => import(${JSON.stringify(join(src, 'search.ts'))}).then((m) => m.searchRunbooks('x')))\n`,
    )
    const outDir = join(root, 'dist')
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [runbooksPlugin({ dir: resolve(import.meta.dirname, '../../runbooks') })],
      build: { outDir, emptyOutDir: true, manifest: true },
    })
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
      string,
      { file: string; isEntry?: boolean }
    >
    const entry = Object.values(manifest).find((chunk) => chunk.isEntry)
    const entryCode = readFileSync(join(outDir, entry?.file ?? ''), 'utf8')
    expect(entryCode).toContain('switch-down') // the catalog is in the first chunk
    expect(entryCode).not.toMatch(/SearchableMap|fuzzySearch|loadJSON/) // MiniSearch is not
    const all = readdirSync(join(outDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(outDir, 'assets', f), 'utf8'))
    expect(all.some((code) => code.includes('loadJSON'))).toBe(true)
  })

  it(
    'fails a production build on a parameter used but not declared, naming the file and the parameter',
    { timeout: 60_000 },
    async () => {
      const root = fixture()
      writeFileSync(
        join(root, 'runbooks', 'params.md'),
        '---\ntitle: P\nparameters:\n  switch_ip: Address\n---\n\n- [ ] Ping {{switch_ip}} then {{swtich_ip}}\n',
      )
      writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>')
      writeFileSync(
        join(root, 'main.js'),
        "import manifest from 'virtual:runbooks'\ndocument.title = String(manifest.runbooks.length)\n",
      )
      const collected = buildRunbooks(join(root, 'runbooks')).collected
      expect(collected.errors).toEqual([
        'runbooks/params.md: parameter {{swtich_ip}} is used but not declared under "parameters:" in the front matter',
      ])
      expect(collected.runbooks.map((r) => r.id)).not.toContain('params')
      const building = build({
        root,
        configFile: false,
        logLevel: 'silent',
        plugins: [runbooksPlugin()],
        build: { outDir: join(root, 'dist'), emptyOutDir: true },
      })
      await expect(building).rejects.toThrow(/params\.md: parameter \{\{swtich_ip\}\} is used but not declared/)
    },
  )

  it(
    'bundles the compiler for the browser (the editor previews with it): no Node module in it',
    { timeout: 120_000 },
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'cp-runbooks-browser-'))
      roots.push(root)
      const compile = resolve(import.meta.dirname, '../../src/runbooks/compile.ts')
      writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/main.ts"></script>')
      writeFileSync(
        join(root, 'main.ts'),
        `import { compileRunbook } from ${JSON.stringify(compile)}\ndocument.body.innerHTML = compileRunbook('# Hi\\n\\n- [ ] Step', 'hi.md').html\n`,
      )
      const messages: string[] = []
      const logger = createLogger('warn', { allowClearScreen: false })
      logger.warn = (message) => void messages.push(message)
      logger.warnOnce = logger.warn
      const outDir = join(root, 'dist')
      await build({
        root,
        configFile: false,
        customLogger: logger,
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 10_000 },
      })
      // Vite replaces a Node built-in with an empty stub for the browser, and says so: nothing of the kind here.
      expect(messages.filter((m) => /externalized for browser compatibility|node:/.test(m))).toEqual([])
      const code = readdirSync(join(outDir, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(outDir, 'assets', f), 'utf8'))
        .join('\n')
      expect(code).toContain('step-toggle')
      expect(code).not.toMatch(/from\s*["']node:|require\(["'](fs|path|crypto)["']\)/)
    },
  )
})
