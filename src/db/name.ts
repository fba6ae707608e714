/** The IndexedDB database this app keeps everything in (one per origin). */
export const DATABASE_NAME = 'command-post'
