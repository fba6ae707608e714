// Provided by build/runbooks/vite-plugin.ts: the catalog of runbooks compiled from runbooks/*.md.
declare module 'virtual:runbooks' {
  const manifest: import('./types').RunbookManifest
  export default manifest
}
