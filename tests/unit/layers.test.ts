/**
 * The layers of ../shared/STYLE.md are lint zones (eslint.config.js,
 * eslint-plugin-boundaries). This feeds the real config one forbidden import
 * per boundary, each from a file path inside the real folders, and expects the
 * layer rule to refuse it; and a few imports the layers allow, expecting no
 * complaint at all (a component using a sibling feature folder among them).
 */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// Type-aware rules need the file in a tsconfig program; these files exist only
// here, and only the layer rule (which resolves imports on disk) matters.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [
    tseslint.configs.disableTypeChecked,
    { rules: { '@typescript-eslint/switch-exhaustiveness-check': 'off' } },
  ],
})

/** A module that imports `from` and uses it, so no other rule has anything to say. */
const importing = (from: string) => `import * as m from '${from}'\n\nexport const used = m\n`
const sfcImporting = (from: string) =>
  `<script setup lang="ts">\nimport Other from '${from}'\n</script>\n\n<template>\n  <Other />\n</template>\n`

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) })
  return result!.messages
}

/** [boundary, file in the importing layer, import it must not make] */
const forbidden: [string, string, string][] = [
  ['domain imports nothing of ours', 'src/domain/stub.ts', '../db/database'],
  ['domain imports no test code', 'src/domain/stub.ts', '../../tests/fixtures/events'],
  ['db → domain only', 'src/db/stub.ts', '../stores/incidents'],
  ['sync → domain, db only', 'src/sync/stub.ts', '../stores/sync'],
  ['sw → domain, db, sync only', 'src/sw/stub.ts', '../stores/sync'],
  ['stores → domain, db, sync only', 'src/stores/stub.ts', '../components/incident/IncidentCard.vue'],
  ['composables → stores, domain only', 'src/composables/useStub.ts', '../db/database'],
  ['composables do not reach sync', 'src/composables/useStub.ts', '../sync/engine'],
  ['UI does not reach db', 'src/components/incident/stub.ts', '../../db/database'],
  ['UI does not reach sync', 'src/components/sync/stub.ts', '../../sync/engine'],
  ['UI two folders deep does not reach db', 'src/components/incident/deeper/stub.ts', '../../../db/events'],
  ['UI reaches the runbook loader through composables', 'src/views/stub.ts', '../runbooks/load'],
  ['views do not reach db', 'src/views/stub.ts', '../db/database'],
  ['router does not reach sync', 'src/router/stub.ts', '../sync/engine'],
  ['server → src/domain only', 'server/stub.ts', '../src/composables/useNow'],
  ['server does not reach db', 'server/routes/stub.ts', '../../src/db/database'],
  ['the app entry does not import the server', 'src/main.ts', '../server/app'],
  ['the status page does not reach the app’s stores', 'src/status/stub.ts', '../stores/sync'],
]

/** [why it is allowed, file, import] */
const allowed: [string, string, string][] = [
  ['db → domain', 'src/db/stub.ts', '../domain/events'],
  ['the status page → domain', 'src/status/stub.ts', '../domain/status-page'],
  ['sync → db', 'src/sync/stub.ts', '../db/database'],
  ['sw → sync', 'src/sw/stub.ts', '../sync/status'],
  ['stores → sync', 'src/stores/stub.ts', '../sync/engine'],
  ['composables → stores', 'src/composables/useStub.ts', '../stores/incidents'],
  ['UI → composables', 'src/components/incident/stub.ts', '../../composables/useNow'],
  ['components/sync is a UI feature folder, reaching stores', 'src/components/sync/stub.ts', '../../stores/sync'],
  ['UI reads the runbook catalog', 'src/components/runbooks/stub.ts', '../../runbooks/catalog'],
  ['views → components', 'src/views/stub.ts', '../components/incident/IncidentCard.vue'],
  ['server → src/domain', 'server/routes/stub.ts', '../../src/domain/events'],
  ['server → the pure runbook pipeline', 'server/runbooks/stub.ts', '../../src/runbooks/ids'],
  ['the app entry wires db and sync', 'src/main.ts', './db/load'],
]

describe('layer zones', () => {
  it.each(forbidden)('refuses: %s', { timeout: 120_000 }, async (_, file, from) => {
    const messages = await lint(file, importing(from))
    expect(messages.map((m) => m.ruleId)).toContain('boundaries/dependencies')
  })

  it.each(allowed)('allows: %s', { timeout: 120_000 }, async (_, file, from) => {
    expect(await lint(file, importing(from))).toEqual([])
  })

  it('allows a component to use a sibling feature folder', { timeout: 120_000 }, async () => {
    const messages = await lint('src/components/incident/IncidentStub.vue', sfcImporting('../roles/RolesPanel.vue'))
    expect(messages).toEqual([])
  })

  it('still keeps fetch out of the UI and the domain', { timeout: 120_000 }, async () => {
    const code = "export const load = () => fetch('/api/health')\n"
    for (const file of ['src/components/incident/stub.ts', 'src/domain/stub.ts'])
      expect((await lint(file, code)).map((m) => m.ruleId)).toContain('no-restricted-globals')
  })
})
