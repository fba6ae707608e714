/**
 * Runbook search over the real corpus (prometheus-operator runbooks) grown to
 * 600 runbooks with a vocabulary per copy, through the same path as the app:
 * compile (build/runbooks), build and serialise the index (build time),
 * MiniSearch.loadJSON with the shared options (the phone, on first search),
 * then createRunbookQuery (the phone, every keystroke). Prints one JSON line.
 *
 * Segmentation is on, as in the app: the Japanese field runbook
 * (../shared/field/cjk-ja.md) is one of the corpus files replicated, so about
 * one runbook in 120 is cut by Intl.Segmenter at index time, and Japanese
 * queries are cut at query time.
 */
import MiniSearch from 'minisearch'
import { toMeta } from '../../build/runbooks/collect'
import { compileRunbook } from '../../src/runbooks/compile'
import { buildSearchIndex } from '../../build/runbooks/search-index'
import { createRunbookQuery } from '../../src/runbooks/search-core'
import { INDEX_OPTIONS } from '../../src/runbooks/search-options'
import type { CompiledRunbook } from '../../src/runbooks/types'
import { corpusAvailable, loadCorpus, replicateCorpus } from '../../tests/fixtures/corpus'
import { readFieldFile } from '../../tests/fixtures/field'
import { median, percentile, pick, rng } from '../lib/stats'

const RUNBOOKS = 600

if (!corpusAvailable()) {
  process.stdout.write(
    `${JSON.stringify({ skipped: 'the runbook corpus is not on this machine (RUNBOOK_CORPUS_DIR)' })}\n`,
  )
  process.exit(0)
}

const corpus = [...loadCorpus(), { path: 'field/cjk-ja.md', source: readFieldFile('cjk-ja.md') }]
const runbooks = replicateCorpus(RUNBOOKS, { distinctVocabulary: true }, corpus).map((f) =>
  compileRunbook(f.source, f.path),
)

const builds: number[] = []
let json = ''
for (let i = 0; i < 4; i++) {
  const t = performance.now()
  json = JSON.stringify(buildSearchIndex(runbooks))
  if (i > 0) builds.push(performance.now() - t) // the first build warms the JIT
}

const loads: number[] = []
let index = MiniSearch.loadJSON(json, INDEX_OPTIONS)
for (let i = 0; i < 3; i++) {
  const t = performance.now()
  index = MiniSearch.loadJSON(json, INDEX_OPTIONS)
  loads.push(performance.now() - t)
}
if (index.documentCount !== RUNBOOKS) throw new Error(`index holds ${index.documentCount} of ${RUNBOOKS} runbooks`)

const search = createRunbookQuery(index, runbooks.map(toMeta))
const queries = typedQueries(runbooks)
for (const q of queries) search(q) // warm-up pass, excluded
const times: number[] = []
let hits = 0
for (let rep = 0; rep < 3; rep++) {
  for (const q of queries) {
    const t = performance.now()
    hits += search(q).length
    times.push(performance.now() - t)
  }
}
if (hits === 0) throw new Error('no query found anything: the index or the queries are broken')

process.stdout.write(
  `${JSON.stringify({
    search_p95_ms: percentile(times, 95),
    search_p50_ms: median(times),
    search_index_build_ms: median(builds),
    search_index_load_ms: median(loads),
    index_kib: json.length / 1024,
    queries: times.length,
  })}\n`,
)

/**
 * What a responder types, keystroke by keystroke: each prefix of a title word
 * (from 2 letters), a word with a typo, two words, and words that match nothing.
 */
function typedQueries(all: readonly CompiledRunbook[]): string[] {
  const random = rng(7000)
  const words = (s: string) => s.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4)
  const out: string[] = []
  for (let i = 0; i < 40; i++) {
    const runbook = pick(random, all)
    const word = pick(random, words(runbook.title).concat(['disk']))!.toLowerCase()
    for (let n = 2; n <= word.length; n++) out.push(word.slice(0, n))
    const typo = word.length > 5 ? word.slice(0, 2) + word.slice(3) : `${word}x`
    out.push(typo)
    const second = pick(random, words(runbook.text).concat(['alert']))!.toLowerCase()
    out.push(`${word} ${second}`)
  }
  out.push(
    'pod crash',
    'disk full',
    'filesystem space',
    'etcd leader',
    'printer jam',
    'network down',
    'certificate expired',
    'kubelet',
    'zzzz qqqq',
    // Japanese, typed as a responder would: one word, a word inside a sentence, two words run together.
    '停止',
    '電源',
    'ネットワーク',
    '電源確認',
    'スイッチ停止',
  )
  return out
}
