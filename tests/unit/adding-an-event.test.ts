/**
 * docs/ADDING-AN-EVENT.md lists the places a new event type must be handled.
 * This compiles the app and its tests (every .ts file of tsconfig.app.json and
 * tsconfig.node.json, as plain tsc sees them) with a stub type added to `payloadSchemas`, and expects exactly one type
 * error in each listed place and none anywhere else: a forgotten place, or a
 * place that stopped being checked, fails here.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const EVENTS = join(ROOT, 'src/domain/events.ts')
const DOC = join(ROOT, 'docs/ADDING-AN-EVENT.md')

interface Place {
  file: string
  symbol: string
}

/** The numbered list of docs/ADDING-AN-EVENT.md: "N. `file` · `symbol`: why". */
function placesFromDoc(): Place[] {
  const places: Place[] = []
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\d+\. `([^`]+)` · `([^`]+)`/.exec(line)
    if (m) places.push({ file: m[1]!, symbol: m[2]! })
  }
  return places
}

/** events.ts with one more payload schema at the end of `payloadSchemas`. */
function eventsWithStub(): string {
  const source = readFileSync(EVENTS, 'utf8')
  const start = source.indexOf('export const payloadSchemas = {')
  const end = source.indexOf('\n} as const', start)
  if (start < 0 || end < 0) throw new Error('payloadSchemas not found in src/domain/events.ts')
  return `${source.slice(0, end)}\n  'stub.event': v.object({ note: v.string() }),${source.slice(end)}`
}

/** A tsconfig of this repository, parsed as tsc reads it. */
function parsedConfig(name: string): ts.ParsedCommandLine {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, name),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error(`${name} could not be read`)
  return config
}

/**
 * The app and its tests as tsc sees them (tsconfig.app.json's files and
 * tsconfig.node.json's, with the latter's options: it sees both), with
 * src/domain/events.ts read from `eventsText`.
 */
function appProgram(eventsText: string): ts.Program {
  const app = parsedConfig('tsconfig.app.json')
  const node = parsedConfig('tsconfig.node.json')
  const host = ts.createCompilerHost(node.options)
  const readSource = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
    resolve(fileName) === EVENTS
      ? ts.createSourceFile(fileName, eventsText, languageVersion, true)
      : readSource(fileName, languageVersion, onError, shouldCreate)
  // .vue files are vue-tsc's; every listed place is in a .ts file.
  const rootNames = [...new Set([...app.fileNames, ...node.fileNames])].filter((f) => f.endsWith('.ts'))
  return ts.createProgram({ rootNames, options: node.options, host })
}

/** The top-level declaration named `symbol` (function, class or variable), as a character span. */
function spanOf(file: ts.SourceFile, symbol: string): { start: number; end: number } | undefined {
  for (const statement of file.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === symbol)
      return { start: statement.getStart(file), end: statement.end }
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.name.text === symbol)
          return { start: statement.getStart(file), end: statement.end }
  }
  return undefined
}

function where(d: ts.Diagnostic): string {
  if (!d.file || d.start === undefined) return ts.flattenDiagnosticMessageText(d.messageText, ' ')
  const { line } = d.file.getLineAndCharacterOfPosition(d.start)
  return `${relative(ROOT, d.file.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
}

describe('adding an event type (docs/ADDING-AN-EVENT.md)', () => {
  const places = placesFromDoc()

  it('lists its places, each a top-level declaration of a .ts file', () => {
    expect(places.length).toBeGreaterThan(0)
    for (const place of places) {
      expect(place.file).toMatch(/\.ts$/)
      const file = ts.createSourceFile(
        place.file,
        readFileSync(join(ROOT, place.file), 'utf8'),
        ts.ScriptTarget.Latest,
        true,
      )
      expect(spanOf(file, place.symbol), `${place.file} · ${place.symbol}`).toBeDefined()
    }
  })

  // A whole-program type check: slow on a busy machine, so the bound only catches a hang.
  it('fails the type check once in each listed place and nowhere else', { timeout: 600_000 }, () => {
    const program = appProgram(eventsWithStub())
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]

    const counts = places.map(() => 0)
    const elsewhere: string[] = []
    for (const d of diagnostics) {
      const index = places.findIndex((place) => {
        if (!d.file || d.start === undefined || resolve(d.file.fileName) !== join(ROOT, place.file)) return false
        const span = spanOf(d.file, place.symbol)
        return !!span && d.start >= span.start && d.start < span.end
      })
      if (index < 0) elsewhere.push(where(d))
      else counts[index]!++
    }

    expect(elsewhere, 'type errors outside the listed places').toEqual([])
    expect(Object.fromEntries(places.map((p, i) => [`${p.file} · ${p.symbol}`, counts[i]]))).toEqual(
      Object.fromEntries(places.map((p) => [`${p.file} · ${p.symbol}`, 1])),
    )
  })
})
