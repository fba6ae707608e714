import { onScopeDispose, shallowRef, watch, type ShallowRef } from 'vue'
import type { CompiledRunbook } from '../runbooks/types'

export interface UseRunbookCompileOptions {
  source: () => string
  /** The runbook id (a new runbook's may still be empty: a placeholder id is used). */
  id: () => string
  /** Milliseconds after the last change before compiling again (default 400). */
  debounceMs?: number
}

export interface UseRunbookCompileReturn {
  /** The latest compile: sanitised HTML, warnings and errors; null until the compiler has loaded. */
  compiled: ShallowRef<CompiledRunbook | null>
  /** Set when the compiler could not be loaded (offline before the editor was ever opened). */
  failure: ShallowRef<string>
}

/**
 * Compiles the editor's text with the build's own pipeline (src/runbooks/compile.ts:
 * markdown-it and sanitize-html, no Node API), loaded on first use as its own
 * chunk, so the preview and its warnings are exactly what the build would give.
 */
export function useRunbookCompile(options: UseRunbookCompileOptions): UseRunbookCompileReturn {
  const compiled = shallowRef<CompiledRunbook | null>(null)
  const failure = shallowRef('')
  let timer: ReturnType<typeof setTimeout> | undefined
  let compiler: Promise<typeof import('../runbooks/compile')> | null = null

  async function run(): Promise<void> {
    try {
      compiler ??= import('../runbooks/compile')
      const { compileRunbook } = await compiler
      compiled.value = compileRunbook(options.source(), `${options.id() || 'new-runbook'}.md`)
      failure.value = ''
    } catch (e) {
      compiler = null
      failure.value = `The preview could not be made: ${(e as Error).message}`
    }
  }

  watch(
    [options.source, options.id],
    (_now, before) => {
      clearTimeout(timer)
      if (before === undefined) void run()
      else timer = setTimeout(() => void run(), options.debounceMs ?? 400)
    },
    { immediate: true },
  )
  onScopeDispose(() => clearTimeout(timer))
  return { compiled, failure }
}
