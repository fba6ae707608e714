/**
 * The link (and QR code) a responder opens on their phone to join with a token.
 * The token rides in the URL fragment, which browsers never send to a server,
 * so it stays out of proxy logs.
 */
import { networkInterfaces } from 'node:os'
import QRCode from 'qrcode'

/** PUBLIC_URL if set; else this host and port, with a LAN address for 0.0.0.0 / :: (a phone cannot open those). */
export function publicOrigin(publicUrl: string | undefined, host: string, port: number): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '')
  let shown = host
  if (host === '0.0.0.0' || host === '::') shown = lanAddress() ?? host
  if (shown.includes(':')) shown = `[${shown}]`
  return `http://${shown}:${port}`
}

/**
 * `<origin>/#/join?token=…[&name=…]`. `name` is the person the token was issued
 * for: a phone with no name yet offers it in its name field. Fragment only, like the token.
 */
export function joinLink(origin: string, token: string, name?: string): string {
  const person = name?.trim() ? `&name=${encodeURIComponent(name.trim())}` : ''
  return `${origin}/#/join?token=${token}${person}`
}

/**
 * Error correction of the printed code. L (7 %) is what qrcode-terminal used:
 * the smallest symbol for the link, which a phone reads more easily off a
 * terminal than a denser one with more redundancy it never needs there.
 */
export const QR_ERROR_CORRECTION = 'L'

/**
 * The text as a QR code for a terminal: two modules per character row (half
 * blocks), drawn black on an ANSI white background so it scans on dark and
 * light terminal themes alike.
 */
export function qrCode(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: QR_ERROR_CORRECTION })
}

function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return undefined
}
