/**
 * JSON bodies with bounded shape. As the body arrives, one linear pass over
 * its raw bytes counts nesting depth and object keys (outside strings); a
 * body past either limit is refused at the chunk that breaks it, without
 * reading the rest into memory, decoding or parsing it. So no body of at most
 * 1 MiB can hold the event loop in the decoder, the parser, the
 * proto-poisoning check or validation (a 600 KB body nested 300,000 deep held
 * it for 1.9 s), and a refused one costs the server no buffering: the rest of
 * it is read and dropped by the lingering close (linger.ts).
 * Hand-written rather than a streaming parser library: it only counts, and it
 * stops at the first byte past a limit; the parse itself is Fastify's.
 */
import { errorCodes, type FastifyInstance } from 'fastify'
import { ApiError } from './errors'

/** The deepest legitimate push nests 5 levels (body, events, event, payload, runbook). */
export const MAX_JSON_DEPTH = 32
/** 500 events of about 15 keys each make 7,500; unknown fields are allowed, so the cap is well above that. */
export const MAX_JSON_KEYS = 50_000

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

/** A limit a JSON body breaks: 400 for nesting, 413 for keys (the app splits the batch). */
export interface JsonShapeProblem {
  status: 400 | 413
  message: string
}

/**
 * Counts `{`/`[` nesting and `:` (one per key) outside strings over a JSON
 * text fed in chunks of raw UTF-8 bytes, in any split. Every byte it looks at
 * is ASCII, and in UTF-8 no byte of a multi-byte character is, so a split
 * inside a character changes nothing. Does not check that the text is JSON
 * (the parser after it does).
 */
export class JsonShapeScanner {
  private depth = 0
  private keys = 0
  private inString = false
  /** The previous chunk ended inside a string on a backslash: this chunk's first byte is escaped. */
  private escaped = false

  constructor(
    private readonly maxDepth = MAX_JSON_DEPTH,
    private readonly maxKeys = MAX_JSON_KEYS,
  ) {}

  /**
   * Scans the next chunk; the first limit broken so far, or null. One plain loop over the bytes, with no
   * call per string: a native search per string (Buffer#indexOf) cost 1.3–1.7 ms per 500-event push, more
   * than parsing it, for the call overhead on ~15,000 short strings.
   */
  feed(chunk: Uint8Array): JsonShapeProblem | null {
    const n = chunk.length
    let i = 0
    let inString = this.inString
    if (this.escaped && n > 0) {
      this.escaped = false
      i = 1
    }
    for (; i < n; i++) {
      const byte = chunk[i]!
      if (inString) {
        if (byte === QUOTE) inString = false
        else if (byte === BACKSLASH) i++ // the escaped byte; past the chunk's end it is the next chunk's first
        continue
      }
      switch (byte) {
        case QUOTE:
          inString = true
          break
        case 0x7b: // {
        case 0x5b: // [
          if (++this.depth > this.maxDepth)
            return { status: 400, message: `the body nests deeper than ${this.maxDepth} levels` }
          break
        case 0x7d: // }
        case 0x5d: // ]
          this.depth--
          break
        case COLON:
          // Too many keys may be a large but honest batch: 413 makes the app split it.
          if (++this.keys > this.maxKeys)
            return { status: 413, message: `the body holds more than ${this.maxKeys} keys; split it` }
          break
      }
    }
    this.inString = inString
    // The loop stepped past the end only over an escape whose escaped byte is the next chunk's first.
    if (i > n) this.escaped = true
    return null
  }
}

/**
 * The reason the whole JSON text `body` (raw UTF-8 bytes or decoded text: the
 * same answer) breaks a limit, or null. See JsonShapeScanner.
 */
export function jsonShapeProblem(
  body: string | Uint8Array,
  maxDepth = MAX_JSON_DEPTH,
  maxKeys = MAX_JSON_KEYS,
): JsonShapeProblem | null {
  return new JsonShapeScanner(maxDepth, maxKeys).feed(typeof body === 'string' ? Buffer.from(body) : body)
}

/**
 * Whether the raw JSON bytes could hold a `__proto__` or `constructor` key,
 * which Fastify's parser (secure-json-parse) refuses: every key it refuses
 * holds the word itself or a `\u00` escape of one of its letters. Three native
 * searches; the parser's own two patterns, run on every body, cost about
 * 0.4 ms per 500-event push for a test that, for pushes, always fails.
 */
export function mayPoison(body: Buffer): boolean {
  return body.includes('__proto__') || body.includes('constructor') || body.includes('\\u00')
}

/**
 * Replaces the application/json parser on `app`: the shape check on the raw
 * bytes as they arrive, then JSON.parse on the whole body, or Fastify's own
 * parser (which also drops a BOM and refuses `__proto__` and
 * `constructor.prototype`) when the body is empty, starts with a BOM or
 * mayPoison says it could hold such a key.
 * Keeps Fastify's body rules for a parser of its own: the route's bodyLimit
 * (413, also when Content-Length announces more) and a body as long as its
 * Content-Length (400).
 */
export function installBoundedJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit
    const announced = Number(request.headers['content-length'])
    if (announced > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined)
      return
    }
    const scanner = new JsonShapeScanner()
    const chunks: Buffer[] = []
    let received = 0
    const finish = (error: Error) => {
      payload.removeListener('data', onData)
      payload.removeListener('end', onEnd)
      payload.removeListener('error', onEnd)
      // Whatever is still coming is read and dropped (the error answer closes lingering: linger.ts).
      done(error, undefined)
    }
    function onData(data: Buffer | string) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data
      received += chunk.length
      if (received > limit) return finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE())
      const problem = scanner.feed(chunk)
      if (problem)
        return finish(
          new ApiError(problem.status, problem.status === 413 ? 'too_large' : 'bad_request', problem.message),
        )
      chunks.push(chunk)
    }
    function onEnd(error?: Error & { statusCode?: number }) {
      if (error) {
        if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400
        return finish(error)
      }
      payload.removeListener('data', onData)
      payload.removeListener('error', onEnd)
      if (!Number.isNaN(announced) && received !== announced) {
        done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), undefined)
        return
      }
      const body = Buffer.concat(chunks, received)
      const text = body.toString('utf8')
      // Fastify's parser for all it does besides JSON.parse (empty body, BOM, poisoning) when any of it can apply.
      if (text.length === 0 || text.charCodeAt(0) === 0xfeff || mayPoison(body)) return void parse(request, text, done)
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined)
      }
      done(null, json)
    }
    payload.on('data', onData)
    payload.on('end', onEnd)
    payload.on('error', onEnd)
    payload.resume()
  })
}
