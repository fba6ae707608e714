/** The hostile-client figures in a process of their own (bench/suites/hostile.ts). Prints one JSON line. */
import { hostile } from '../suites/hostile'

process.stdout.write(`${JSON.stringify(await hostile())}\n`)
process.exit(0)
