/**
 * Runs `task` on the first call and hands every caller the same promise, so
 * a store opens or reads once however many screens ask; after a failure the
 * next call runs it again.
 */
export function onceUntilFailure(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null
  return () => {
    running ??= task().catch((error: unknown) => {
      running = null
      throw error
    })
    return running
  }
}
