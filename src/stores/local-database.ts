/**
 * What composables may know of the phone's database, passed through the stores
 * layer (composables → stores, domain): the full-storage check that save
 * messages use, and the hook that waits until the database code has loaded.
 */
export type { CommandPostDatabase } from '../db/database'
export { whenLocalDataLoaded } from '../db/load'
export { isStorageFull, STORAGE_FULL_MESSAGE } from '../db/storage-full'
