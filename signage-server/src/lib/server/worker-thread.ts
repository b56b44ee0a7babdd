import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module's own URL (the module says where it is with `import.meta.url`, and the main
 * thread imports it dynamically so that the server build gives it a chunk of its own). From the built server the
 * URL is plain JavaScript; from the sources (tests) the thread registers tsx's loader first, because Node 20 ignores
 * `--import` in a worker's execArgv.
 */
export function startModuleWorker(moduleUrl: string, workerData: unknown): Worker {
  return moduleUrl.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })`,
        { eval: true, workerData },
      )
    : new Worker(new URL(moduleUrl), { workerData });
}
