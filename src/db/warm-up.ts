/**
 * Imported first by main.ts, so this runs before the rest of the app's code is
 * evaluated: a returning phone's database code loads, and its database opens,
 * while Vue and the first screen are still being set up.
 */
import { warmUp } from './load'

warmUp()
