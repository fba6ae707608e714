/**
 * What the first screen (/incidents, and the name prompt of a first visit)
 * loads is everything src/main.ts reaches by static imports: the bench's
 * shell budget (`shell_gzip_kb`) and cold-start ratio measure it, but only
 * when someone runs the bench. This fails in CI the moment a change makes a
 * new module part of it, naming the import that did: new features load lazily
 * (`import()`, useLazyComponent), and a module the first screen truly needs is
 * added to FIRST_SCREEN below on purpose.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseSfc } from 'vue/compiler-sfc'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Every module of ours the first screen may load (paths from the repository's root). */
const FIRST_SCREEN = [
  'src/main.ts',
  'src/App.vue',
  'src/router/index.ts',
  'src/views/IncidentsView.vue',
  'src/views/WelcomeView.vue',
  'src/components/common/NameForm.vue',
  'src/components/layout/AppNav.vue',
  'src/components/layout/SyncIndicator.vue',
  'src/components/roles/RolesMine.vue',
  'src/composables/useFirstScreen.ts',
  'src/composables/useLazyComponent.ts',
  'src/composables/useLazyComposable.ts',
  'src/composables/useNow.ts',
  'src/stores/clock.ts',
  'src/stores/incidents.ts',
  'src/stores/install.ts',
  'src/stores/once.ts',
  'src/stores/persistence.ts',
  'src/stores/profile.ts',
  'src/stores/sync.ts',
  'src/sync/status.ts',
  // The database's code is not here: db/load.ts and db/warm-up.ts import it with import().
  'src/db/load.ts',
  'src/db/name.ts',
  'src/db/storage-full.ts',
  'src/db/warm-up.ts',
  'src/db/wipe-mark.ts',
  // The fold and what it needs: a returning phone folds its active incidents before the list shows them.
  'src/domain/assert.ts',
  'src/domain/cadence.ts',
  'src/domain/changes.ts',
  'src/domain/clock-offset.ts',
  'src/domain/conflicts.ts',
  'src/domain/declaration.ts',
  'src/domain/fold.ts',
  'src/domain/hlc.ts',
  'src/domain/ids.ts',
  'src/domain/labels.ts',
  'src/domain/people.ts',
  'src/domain/roles.ts',
  'src/domain/summary.ts',
  'src/domain/time.ts',
  'src/domain/timeline-memo.ts',
  'src/domain/vocabulary.ts',
  'src/styles/base.css',
]

/** The only packages the first screen loads. */
const FIRST_SCREEN_PACKAGES = ['pinia', 'vue', 'vue-router']

/** The module specifiers a file imports statically (type-only imports left out: they are erased). */
function staticImports(file: string): string[] {
  let code = readFileSync(file, 'utf8')
  if (file.endsWith('.css')) return []
  if (file.endsWith('.vue')) {
    const { descriptor } = parseSfc(code, { filename: file })
    code = [descriptor.script?.content ?? '', descriptor.scriptSetup?.content ?? ''].join('\n')
  }
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out: string[] = []
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly)
      out.push((node.moduleSpecifier as ts.StringLiteral).text)
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly)
      out.push((node.moduleSpecifier as ts.StringLiteral).text)
  }
  return out
}

function resolveModule(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier)
  const found = [base, `${base}.ts`, `${base}/index.ts`].find((c) => existsSync(c) && /\.(ts|vue|css)$/.test(c))
  if (!found) throw new Error(`${relative(ROOT, from)}: cannot resolve ${specifier}`)
  return found
}

/** Every module and package reachable from src/main.ts by static imports, each with the file that first imports it. */
function firstScreen(): { modules: Map<string, string | null>; packages: Map<string, string> } {
  const modules = new Map<string, string | null>()
  const packages = new Map<string, string>()
  const visit = (file: string, by: string | null) => {
    const path = relative(ROOT, file)
    if (modules.has(path)) return
    modules.set(path, by)
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolveModule(file, specifier), path)
      else {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!
        if (!packages.has(name)) packages.set(name, path)
      }
    }
  }
  visit(resolve(ROOT, 'src/main.ts'), null)
  return { modules, packages }
}

describe('the first screen', () => {
  const { modules, packages } = firstScreen()

  it('loads only the modules meant for it: anything else comes by import()', () => {
    const added = [...modules]
      .filter(([path]) => !FIRST_SCREEN.includes(path))
      .map(([p, by]) => `${p} (imported by ${by})`)
    expect(added, 'load these lazily, or add them to FIRST_SCREEN on purpose').toEqual([])
    // A module left in the list after it stopped being needed keeps the list honest too.
    expect(
      FIRST_SCREEN.filter((p) => !modules.has(p)),
      'no longer in the first screen: remove from FIRST_SCREEN',
    ).toEqual([])
  })

  it('loads no package but Vue, its router and Pinia (Dexie comes with the database code, by import())', () => {
    expect([...packages.keys()].sort()).toEqual(FIRST_SCREEN_PACKAGES)
  })
})
