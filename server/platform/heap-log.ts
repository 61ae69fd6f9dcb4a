import fs from 'node:fs';

/**
 * The soak's heap sampling (docs/rules/performance.md §7): when BENCH_HEAP_LOG names a file, every
 * `everyMs` the process runs a full GC (node --expose-gc) and appends one JSON line of
 * `process.memoryUsage()` to it. No HTTP route; off unless the variable is set.
 */
export function startHeapLog(file: string | undefined, role: string, everyMs = 30_000): void {
  if (!file) return;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    gc?.();
    const line = { at: new Date().toISOString(), role, pid: process.pid, gc: Boolean(gc) };
    fs.appendFileSync(file, `${JSON.stringify({ ...line, ...process.memoryUsage() })}\n`);
  };
  sample();
  setInterval(sample, everyMs).unref();
}
