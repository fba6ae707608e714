/**
 * Closing a connection the way nginx does: answer, stop sending, read and
 * discard what the client is still uploading for a short while, then close.
 * Closing at once makes the kernel reset a connection with unread data in it,
 * and a client still uploading sees the reset instead of the answer (a 413
 * for a body that is too large, a 408 for one too slow).
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** After answering a request whose body was not read: read and discard for at most this long, then close. */
export const LINGER_MS = 5_000
/** ... or until this many more bytes arrived (nginx reads for `lingering_time`; a cap on bytes bounds the work too). */
export const LINGER_BYTES = 16 * 1024 * 1024

/**
 * Closes a socket without resetting it: our side is ended (the answer is
 * flushed, then FIN), and what the client still sends is read and dropped
 * until it closes its side, LINGER_MS pass, or LINGER_BYTES more arrive.
 */
export function lingeringClose(socket: Socket): void {
  if (socket.destroyed) return
  const start = socket.bytesRead
  // Node's HTTP parser may read the socket itself (no 'data' events): watch the byte count instead.
  const watch = setInterval(() => {
    if (socket.bytesRead - start > LINGER_BYTES) done()
  }, 100)
  const timer = setTimeout(() => done(), LINGER_MS)
  watch.unref()
  timer.unref()
  function done() {
    clearInterval(watch)
    clearTimeout(timer)
    socket.destroy()
  }
  socket.on('close', done)
  socket.on('end', done)
  socket.on('error', done)
  socket.resume()
  socket.end()
}

/** True while the request's body has not been read to its end. */
export function bodyUnread(raw: IncomingMessage): boolean {
  return !raw.complete
}

/**
 * After an error answer to a request whose body was not read to the end, the
 * connection is closed lingering (see lingeringClose) instead of at once.
 * Call before sending the answer.
 */
export function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  if (!bodyUnread(request.raw)) return
  const socket = request.raw.socket as Socket | null
  if (!socket) return
  reply.header('connection', 'close')
  // Node ends a `connection: close` answer with destroySoon(), which resets a socket with unread data.
  socket.destroySoon = () => lingeringClose(socket)
  // Whatever was reading the body (a parser refused it) lets go: the rest is read and dropped.
  request.raw.unpipe()
  request.raw.on('data', () => {})
  request.raw.resume()
}
