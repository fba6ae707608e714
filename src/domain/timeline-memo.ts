/**
 * The Timeline's memo of its last answer per incident state, apart from the
 * Timeline itself: the incidents store forgets an answer on the first screen,
 * and importing timeline.ts for that would put every event's wording
 * (describe.ts) into the first screen's chunk.
 */
import type { IncidentEvent } from './events'
import type { IncidentState } from './fold'

/** The last answer per state: a write that only appends events extends it instead of walking all 10,000. */
export const lastItems = new WeakMap<
  IncidentState,
  { length: number; last: IncidentEvent | undefined; items: unknown[] }
>()

/**
 * Forget the last answer for `state`: an event in it was replaced by a copy that
 * shows more (its sender, learned from the server) without the list growing.
 */
export function forgetTimeline(state: IncidentState): void {
  lastItems.delete(state)
}
