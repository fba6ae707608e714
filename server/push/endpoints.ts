/**
 * Which push endpoints the server will POST to. A subscription's endpoint
 * comes from a phone; without a list, any token holder could make the server
 * send requests to any address (an internal one included). The default list
 * is the browsers' own push services; PUSH_ENDPOINT_HOSTS replaces it.
 */

/** Chrome/Edge/Android (FCM), Firefox (Mozilla autopush), Safari and iOS (Apple), Windows (WNS). */
export const DEFAULT_PUSH_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  '*.push.services.mozilla.com',
  '*.push.apple.com',
  '*.notify.windows.com',
]

/**
 * True when `endpoint` is an https URL (no credentials) on one of `hosts`:
 * `example.org` is that host exactly, `*.example.org` any host below it.
 */
export function isAllowedEndpoint(endpoint: string, hosts: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false
  const host = url.hostname.toLowerCase()
  return hosts.some((pattern) => {
    const p = pattern.trim().toLowerCase()
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p
  })
}
