/**
 * Compressed answers through @fastify/compress (issue #17): a joining phone
 * downloads every incident's overview (5,000 incidents ≈ 2.8 MB of JSON) and
 * pull pages of up to 1,000 events; JSON of that kind shrinks 5–10× on the wire.
 *
 * What is never compressed:
 * - the live stream (GET /api/events/stream): it hijacks the reply and writes
 *   its own head, so no onSend hook sees it; the route also says `compress:
 *   false`, and the library's default types leave text/event-stream out. A
 *   compressor would hold messages back until its buffer filled.
 * - the push answer (POST /api/events): the ids the phone itself just sent,
 *   random and hardly compressible, on the path whose throughput is budgeted.
 * - the built app: @fastify/static serves the .br/.gz files the build wrote,
 *   and the plugin is registered only around /api (app.ts), not around them.
 * - answers below THRESHOLD bytes, and requests without Accept-Encoding.
 */
import { constants } from 'node:zlib'
import compress from '@fastify/compress'
import type { FastifyInstance } from 'fastify'

/** Answers smaller than this (bytes) are sent as they are: below it compression saves less than it costs. */
export const COMPRESS_THRESHOLD = 1024

/**
 * Brotli quality for answers made on the fly. 4 compresses JSON nearly as well
 * as gzip -9 at a fraction of the CPU of the default 11, which is meant for
 * files compressed once at build time (the app's .br files).
 */
export const BROTLI_QUALITY = 4

/**
 * Compresses every answer of the routes registered on `api` after this call,
 * when it is compressible (JSON, text), at least COMPRESS_THRESHOLD bytes and
 * the request accepts br or gzip (br preferred). Request bodies are not
 * decompressed: the contract takes plain JSON pushes, and a compressed body
 * would let a small request expand past the body limit's intent.
 */
export async function registerCompression(api: FastifyInstance): Promise<void> {
  await api.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: COMPRESS_THRESHOLD,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } },
    globalDecompression: false,
  })
}
