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
    // Caps, not speed checks: on a busy 2-core machine (CI, or `npm run bench` beside it) a test that
    // starts a server and makes a few hundred requests took 5.9 s, past Vitest's 5 s default.
    // No test asserts a duration; these only stop a hung test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll's own 1 s default, likewise (vi.waitFor's: tests/fixtures/setup.ts).
    expect: { poll: { timeout: 30_000 } },
  },
})
