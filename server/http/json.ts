/**
 * JSON bodies with bounded shape. Before the body is decoded or parsed, one
 * linear pass over its raw bytes counts nesting depth and object keys
 * (outside strings); a body past either limit is refused without being
 * decoded or parsed, so no body of at most 1 MiB can hold the event loop in
 * the decoder, the parser, the proto-poisoning check or validation (a 600 KB
 * body nested 300,000 deep held it for 1.9 s; decoding such a body to a
 * string before the check was half of the server's CPU per refused body:
 * bench figure json_cpu_per_body_ms).
 * Hand-written rather than a streaming parser library: the body is already
 * in memory (1 MiB cap), and this pass stops at the first byte past a limit.
 */
import type { FastifyInstance } from 'fastify'
import { ApiError } from './errors'

/** The deepest legitimate push nests 5 levels (body, events, event, payload, runbook). */
export const MAX_JSON_DEPTH = 32
/** 500 events of about 15 keys each make 7,500; unknown fields are allowed, so the cap is well above that. */
export const MAX_JSON_KEYS = 50_000

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

/**
 * The reason the JSON text `body` breaks a limit, or null. `body` is the raw
 * UTF-8 bytes or the decoded text: every byte the count looks at is ASCII, and
 * in UTF-8 no byte of a multi-byte character is, so both give the same answer.
 * Counts `{`/`[` nesting and `:` (one per key) outside strings; does not check
 * that the text is JSON (the parser after it does).
 */
export function jsonShapeProblem(
  body: string | Uint8Array,
  maxDepth = MAX_JSON_DEPTH,
  maxKeys = MAX_JSON_KEYS,
): { status: 400 | 413; message: string } | null {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length)
  let depth = 0
  let keys = 0
  for (let i = 0; i < bytes.length; i++) {
    switch (bytes[i]!) {
      case QUOTE:
        i = stringEnd(bytes, i)
        break
      case 0x7b: // {
      case 0x5b: // [
        if (++depth > maxDepth) return { status: 400, message: `the body nests deeper than ${maxDepth} levels` }
        break
      case 0x7d: // }
      case 0x5d: // ]
        depth--
        break
      case COLON:
        // Too many keys may be a large but honest batch: 413 makes the app split it.
        if (++keys > maxKeys) return { status: 413, message: `the body holds more than ${maxKeys} keys; split it` }
        break
    }
  }
  return null
}

/** Index of the quote closing the string opened at `open` (native search: texts are most of a body), or the end. */
function stringEnd(bytes: Buffer, open: number): number {
  let at = open
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1)
    if (at < 0) return bytes.length
    let slashes = 0
    while (bytes[at - 1 - slashes] === BACKSLASH) slashes++
    if (slashes % 2 === 0) return at
  }
}

/**
 * Replaces the application/json parser on `app`: the shape check on the raw
 * bytes, then Fastify's own parser (which decodes, drops a BOM and refuses
 * `__proto__` and `constructor.prototype`).
 */
export function installBoundedJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    const problem = jsonShapeProblem(bytes)
    if (problem) {
      done(new ApiError(problem.status, problem.status === 413 ? 'too_large' : 'bad_request', problem.message))
      return
    }
    void parse(request, bytes.toString('utf8'), done)
  })
}
