// Preloaded into every benchmarked server process (with --expose-gc): SIGUSR2 runs a full garbage collection,
// so memory per document is read from live memory rather than from garbage not yet collected.
process.on('SIGUSR2', () => globalThis.gc?.())
