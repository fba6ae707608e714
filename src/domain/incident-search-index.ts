/**
 * The phone's incident search index: for every word, the incidents whose head
 * (title, summary, location, severity, status) or body (the text of their
 * events) holds it. Words live in MiniSearch's radix tree (`SearchableMap`),
 * which finds them by prefix and within an edit distance (typos); each word
 * points to two sorted lists of incident numbers (head, body).
 *
 * Why not a MiniSearch document per incident: scoring every field of every
 * matching incident with BM25 took 61 ms per keystroke on a phone with 2,000
 * incidents (4× CPU), since common words match nearly all of them; and one new
 * log entry re-indexed its whole incident. Here a query is a few set walks
 * (a word in all 2,000 incidents costs 2,000 steps), and a new event adds its
 * own words only.
 *
 * This module imports code from minisearch: load it with a dynamic import, never
 * from the first screen.
 */
import SearchableMap from 'minisearch/SearchableMap'
import type { IncidentState } from './fold'
import type { IncidentOverview } from './summary'
import { allowedEdits, eventSearchText, incidentHeadText, SEARCH_WEIGHTS } from './incident-search'
import { searchTerms } from './words'

const HAS_DIGIT = /\p{N}/u
/** Between the parts of an incident's head as the index keeps it (one string, compared as a whole). */
const HEAD_SEPARATOR = '\n'

/**
 * Incident numbers in ascending order: a view into the block read from the
 * phone (no copy) until the list first changes, then an array of small
 * integers (4 bytes each in V8). Not a Set (about 30 bytes an entry): a
 * phone's index of 5,000 incidents takes a few MB.
 */
type Numbers = Uint32Array | number[]

/** The incidents holding one word (by number), in their head and in their body. */
interface Postings {
  head: Numbers | null
  body: Numbers | null
}

interface Tracked {
  /** This incident's number in the postings. */
  n: number
  /** Head texts indexed (incidentHeadText, joined by HEAD_SEPARATOR): their words are removed when it changes. */
  head: string
  /** `state.events[0 … done)` are indexed. */
  done: number
  /** Id of `state.events[done - 1]`: if another event now stands there, one arrived in between. */
  lastId: string | null
}

/** An incident's head as the index reads it: a folded state or an overview. */
type Head = Pick<IncidentState, 'id' | 'title' | 'summary' | 'location' | 'severity' | 'status'>

/**
 * The index as stored on the phone (IndexedDB, structured clone) so start
 * does not index every event again: the postings in one Uint32Array, copied
 * as one block, not as millions of numbers. `v`: the format; version 1 (the
 * postings as arrays, the app before this one) is read and converted; any
 * other is ignored (the phone indexes again).
 */
export interface SavedSearchIndex {
  v: 2
  /** Incident number → id; null for a number whose incident is gone. */
  ids: (string | null)[]
  /** Per number: its head texts joined by a line break ('' when gone), events indexed, last indexed event id. */
  heads: string[]
  done: number[]
  lastIds: (string | null)[]
  /** Every word, and per word 2 counts: its head numbers then its body numbers, in `data` one after another. */
  terms: string[]
  counts: Uint32Array
  data: Uint32Array
}

/** Version 1 (Sets in memory, arrays on disk): read once and converted. */
interface SavedSearchIndexV1 {
  v: 1
  ids: (string | null)[]
  tracked: [string, number, string[], string[], number, string | null][]
  postings: [string, number[] | null, number[] | null][]
}

/** One search's answer: incident id → score (higher is better). */
export type SearchScores = Map<string, number>

/** Index of `x` in the sorted `list`, or of where it would go. */
function placeOf(list: Numbers, x: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * `list` with `x` (the same list when it was there): changed in place once it
 * is an array; a view of the stored block is copied first. Indexing adds one
 * incident at a time, so `x` usually goes at the end.
 */
function insert(list: Numbers, x: number): Numbers {
  const last = list.length - 1
  const at = last < 0 || list[last]! < x ? list.length : placeOf(list, x)
  if (list[at] === x) return list
  const out = Array.isArray(list) ? list : Array.from(list)
  if (at === out.length) out.push(x)
  else out.splice(at, 0, x)
  return out
}

/** `list` without `x` (see insert). */
function remove(list: Numbers, x: number): Numbers {
  const at = placeOf(list, x)
  if (list[at] !== x) return list
  const out = Array.isArray(list) ? list : Array.from(list)
  out.splice(at, 1)
  return out
}

export class IncidentSearchIndex {
  private readonly words = new SearchableMap<Postings>()
  /** The same postings by exact word: a hash lookup while indexing, not a tree walk. */
  private readonly exact = new Map<string, Postings>()
  private readonly tracked = new Map<string, Tracked>()
  /** Incident number → id; null once the incident is gone (its numbers stay in the postings, skipped). */
  private readonly ids: (string | null)[] = []
  private best = new Float64Array(0)
  private total = new Float64Array(0)

  /** Incidents held. */
  get size(): number {
    return this.tracked.size
  }

  /** Distinct words held. */
  get vocabulary(): number {
    return this.exact.size
  }

  /** How many of `state`'s events are not indexed yet (its head counts as one when it changed). */
  behind(state: IncidentState): number {
    const t = this.tracked.get(state.id)
    if (!t) return state.events.length + 1
    const head = sameHead(t.head, state) ? 0 : 1
    if (t.done > state.events.length || (t.done > 0 && state.events[t.done - 1]?.id !== t.lastId))
      return state.events.length + head
    return state.events.length - t.done + head
  }

  /**
   * Index `state`'s head if it changed, then up to `maxEvents` of its events not
   * yet indexed. Returns how many events are left (0: up to date). An event that
   * arrived between two indexed ones (a late sync) makes the incident's events be
   * read again from the start; adding a word twice changes nothing.
   */
  catchUp(state: IncidentState, maxEvents = Infinity): number {
    const t = this.track(state.id)
    if (!sameHead(t.head, state)) this.putHead(t, state)
    const events = state.events
    if (t.done > events.length || (t.done > 0 && events[t.done - 1]?.id !== t.lastId)) t.done = 0
    const end = Math.min(events.length, t.done + maxEvents)
    // Words repeat within an incident: each distinct one is added once per step.
    const terms = new Set<string>()
    for (let i = t.done; i < end; i++) {
      for (const text of eventSearchText(events[i]!)) {
        if (text) for (const term of searchTerms(text)) terms.add(term)
      }
    }
    for (const term of terms) this.add(term, 'body', t.n)
    t.done = end
    t.lastId = end > 0 ? events[end - 1]!.id : null
    return events.length - end
  }

  /**
   * An incident known by its overview only (its events not folded): its head
   * is indexed if it changed; the words of its events indexed while it was
   * held stay. Returns whether anything changed.
   */
  catchUpHead(overview: IncidentOverview): boolean {
    const t = this.track(overview.id)
    if (sameHead(t.head, overview)) return false
    this.putHead(t, overview)
    return true
  }

  /** The index as structured-clone data for IndexedDB (see SavedSearchIndex). */
  toJSON(): SavedSearchIndex {
    const heads: string[] = new Array<string>(this.ids.length).fill('')
    const done: number[] = new Array<number>(this.ids.length).fill(0)
    const lastIds: (string | null)[] = new Array<string | null>(this.ids.length).fill(null)
    for (const t of this.tracked.values()) {
      heads[t.n] = t.head
      done[t.n] = t.done
      lastIds[t.n] = t.lastId
    }
    const terms: string[] = []
    let total = 0
    for (const p of this.exact.values()) total += (p.head?.length ?? 0) + (p.body?.length ?? 0)
    const counts = new Uint32Array(this.exact.size * 2)
    const data = new Uint32Array(total)
    let at = 0
    for (const [term, p] of this.exact) {
      const i = terms.length
      terms.push(term)
      counts[2 * i] = p.head?.length ?? 0
      counts[2 * i + 1] = p.body?.length ?? 0
      if (p.head) data.set(p.head, at)
      at += counts[2 * i]!
      if (p.body) data.set(p.body, at)
      at += counts[2 * i + 1]!
    }
    return { v: 2, ids: [...this.ids], heads, done, lastIds, terms, counts, data }
  }

  /** An index from `toJSON`'s data (or version 1's); null when it is not that (another app's format, or damaged). */
  static fromJSON(saved: unknown): IncidentSearchIndex | null {
    const data = saved as Partial<SavedSearchIndex> | Partial<SavedSearchIndexV1> | null
    if (data?.v === 1) return fromVersion1(data)
    if (
      !data ||
      data.v !== 2 ||
      !Array.isArray(data.ids) ||
      !Array.isArray(data.heads) ||
      !Array.isArray(data.done) ||
      !Array.isArray(data.lastIds) ||
      !Array.isArray(data.terms) ||
      !(data.counts instanceof Uint32Array) ||
      !(data.data instanceof Uint32Array) ||
      data.counts.length !== data.terms.length * 2
    )
      return null
    const index = new IncidentSearchIndex()
    index.ids.push(...data.ids)
    data.ids.forEach((id, n) => {
      if (id !== null)
        index.tracked.set(id, {
          n,
          head: data.heads![n] ?? '',
          done: data.done![n] ?? 0,
          lastId: data.lastIds![n] ?? null,
        })
    })
    const { counts, data: numbers } = data
    let at = 0
    const take = (count: number): Numbers | null => {
      if (!count) return null
      const list = numbers.subarray(at, at + count)
      at += count
      return list
    }
    for (let i = 0; i < data.terms.length; i++) {
      const postings: Postings = { head: take(counts[2 * i]!), body: take(counts[2 * i + 1]!) }
      index.exact.set(data.terms[i]!, postings)
      index.words.set(data.terms[i]!, postings)
    }
    return index
  }

  private track(id: string): Tracked {
    let t = this.tracked.get(id)
    if (!t) {
      t = { n: this.ids.length, head: '', done: 0, lastId: null }
      this.ids.push(id)
      this.tracked.set(id, t)
    }
    return t
  }

  /** Forget incidents that are not among `ids` (a phone that wiped its data). Returns how many. */
  retainOnly(ids: ReadonlySet<string>): number {
    let dropped = 0
    for (const [id, t] of this.tracked) {
      if (ids.has(id)) continue
      // Its number stays in the postings and is skipped; a return gets a new number.
      this.ids[t.n] = null
      this.tracked.delete(id)
      dropped++
    }
    return dropped
  }

  /**
   * Incidents matching every word of `query`, with their scores: each word
   * found exactly, as the start of a word (typing `firew`), or a typo or two
   * away (`swtich`); a match in the head weighs 3 times one in the body.
   * Null when the query has no searchable word (blank, stop words, one letter).
   */
  search(query: string): SearchScores | null {
    const terms = [...new Set(searchTerms(query))]
    if (terms.length === 0) return null
    const n = this.ids.length
    // Two buffers kept between queries: no garbage per keystroke.
    if (this.best.length < n) {
      this.best = new Float64Array(n * 2)
      this.total = new Float64Array(n * 2)
    }
    const best = this.best
    const total = this.total
    let first = true
    for (const term of terms) {
      best.fill(0, 0, n)
      const take = (postings: Postings, quality: number) => {
        if (postings.body) {
          const w = quality * SEARCH_WEIGHTS.body
          const list = postings.body
          for (let k = 0; k < list.length; k++) {
            const i = list[k]!
            if (best[i]! < w) best[i] = w
          }
        }
        if (postings.head) {
          const w = quality * SEARCH_WEIGHTS.head
          const list = postings.head
          for (let k = 0; k < list.length; k++) {
            const i = list[k]!
            if (best[i]! < w) best[i] = w
          }
        }
      }
      for (const [word, postings] of this.words.atPrefix(term)) {
        take(
          postings,
          word.length === term.length ? SEARCH_WEIGHTS.exact : (SEARCH_WEIGHTS.prefix * term.length) / word.length,
        )
      }
      // Typos: not in words with digits (`sev1` is not `sev2`, nor room 7042 room 7043).
      const edits = HAS_DIGIT.test(term) ? 0 : allowedEdits(term.length)
      if (edits > 0) {
        const typo = (distance: number) => (SEARCH_WEIGHTS.fuzzy * term.length) / (term.length + distance)
        for (const [word, [postings, distance]] of this.words.fuzzyGet(term, edits)) {
          // Prefix matches are in already, and weigh more.
          if (distance > 0 && !word.startsWith(term)) take(postings, typo(distance))
        }
        // Two letters swapped, the commonest slip on a phone keyboard (`swtich`), counts as one typo, as you type.
        for (let i = 0; i + 1 < term.length; i++) {
          if (term[i] === term[i + 1]) continue
          const swapped = term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2)
          for (const [, postings] of this.words.atPrefix(swapped)) take(postings, typo(1))
        }
      }
      if (first) total.set(best.subarray(0, n))
      // Every word must match: an incident without this one drops out.
      else for (let i = 0; i < n; i++) total[i] = best[i]! > 0 && total[i]! > 0 ? total[i]! + best[i]! : 0
      first = false
    }
    const out: SearchScores = new Map()
    for (let i = 0; i < n; i++) {
      const id = this.ids[i]
      if (total[i]! > 0 && id) out.set(id, total[i]!)
    }
    return out
  }

  private putHead(t: Tracked, state: Head): void {
    for (const text of t.head.split(HEAD_SEPARATOR))
      for (const term of searchTerms(text)) {
        const postings = this.exact.get(term)
        if (postings?.head) postings.head = remove(postings.head, t.n)
      }
    const terms = new Set<string>()
    const head = incidentHeadText(state)
    for (const text of head) for (const term of searchTerms(text)) terms.add(term)
    for (const term of terms) this.add(term, 'head', t.n)
    t.head = head.join(HEAD_SEPARATOR)
  }

  private add(term: string, part: 'head' | 'body', n: number): void {
    let postings = this.exact.get(term)
    if (!postings) {
      postings = { head: null, body: null }
      this.exact.set(term, postings)
      this.words.set(term, postings)
    }
    const list = postings[part]
    postings[part] = list ? insert(list, n) : [n]
  }
}

/** Whether the head indexed (joined texts) is `state`'s head now. */
function sameHead(head: string, state: Head): boolean {
  return head === incidentHeadText(state).join(HEAD_SEPARATOR)
}

/** Version 1's data (Sets on disk as arrays, heads as lists) as an index. */
function fromVersion1(data: Partial<SavedSearchIndexV1>): IncidentSearchIndex | null {
  if (!Array.isArray(data.ids) || !Array.isArray(data.tracked) || !Array.isArray(data.postings)) return null
  const done: number[] = data.ids.map(() => 0)
  const heads: string[] = data.ids.map(() => '')
  const lastIds: (string | null)[] = data.ids.map(() => null)
  for (const [, n, head, , indexed, lastId] of data.tracked) {
    heads[n] = head.join(HEAD_SEPARATOR)
    done[n] = indexed
    lastIds[n] = lastId
  }
  const terms: string[] = []
  const counts: number[] = []
  const numbers: number[] = []
  const sorted = (list: number[] | null) => (list ? [...list].sort((a, b) => a - b) : [])
  for (const [term, head, body] of data.postings) {
    const h = sorted(head)
    const b = sorted(body)
    terms.push(term)
    counts.push(h.length, b.length)
    for (const n of h) numbers.push(n)
    for (const n of b) numbers.push(n)
  }
  return IncidentSearchIndex.fromJSON({
    v: 2,
    ids: data.ids,
    heads,
    done,
    lastIds,
    terms,
    counts: Uint32Array.from(counts),
    data: Uint32Array.from(numbers),
  } satisfies SavedSearchIndex)
}
