/** Post to SMTP accepted, in a process of its own (bench/suites/email.ts). Prints one JSON line. */
import { emailFigures } from '../suites/email'

process.stdout.write(`${JSON.stringify(await emailFigures())}\n`)
process.exit(0)
