import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { runbooksPlugin } from './build/runbooks/vite-plugin'

export default defineConfig({
  // The runbooks plugin resolves `virtual:runbooks` for component tests in a browser-like environment; tests may still vi.mock it.
  plugins: [vue(), runbooksPlugin()],
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'build/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/fixtures/setup.ts'],
    pool: 'forks',
  },
})
