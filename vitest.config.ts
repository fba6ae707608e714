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
    // Threads start a test file faster than forks, and many files wait on servers, PostgreSQL or child
    // processes: on the 2-core CI machine 4 workers ran the suite in 196 s, against 348 s for 2 forks.
    pool: 'threads',
    maxWorkers: 4,
    // Caps, not speed checks: on a busy 2-core machine (CI, or `npm run bench` beside it) a test that
    // starts a server and makes a few hundred requests took 5.9 s, past Vitest's 5 s default, and with
    // four files at once the slowest took 37 s. No test asserts a duration; these only stop a hung test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll's own 1 s default, likewise (vi.waitFor's: tests/fixtures/setup.ts).
    expect: { poll: { timeout: 30_000 } },
  },
})
