/**
 * The default branch of a switch the type checker proves unreachable: a switch
 * over a union ends in `default: return assertNever(x)`, so a new member of the
 * union (a new event type) fails the type check right there instead of being
 * skipped silently.
 *
 * @throws Error naming the value, if reached anyway at run time. Events are
 *   validated against the same schemas before they reach the domain (push,
 *   pull, factory), so that means a bug, not data from a newer version.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`)
}
