/**
 * What the main thread and a stage's worker thread share: the cells of the shared credit array and the
 * control messages beside the batches. @internal
 * @module
 */

/** Batches the main thread may still send to the worker. */
export const IN = 0;
/** Batches the worker may still send to the main thread. */
export const OUT = 1;
/** Set (to 1) by the worker as it exits. */
export const DEAD = 2;
/** Set (to 1) by the worker once it has processed the start element (its operators registered their uids). */
export const STARTED = 3;
/** Cells in the shared array. */
export const CELLS = 4;

/** What the worker receives as `workerData`. */
export interface WorkerInit {
  readonly module: string;
  readonly exportName: string;
  readonly index: number;
  readonly parallelism: number;
  readonly batchSize: number;
  readonly shared: SharedArrayBuffer;
  readonly port: import('node:worker_threads').MessagePort;
}

/** An error as it crosses a thread. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
}

/** Control messages from the worker (the batches are `{ b }`, the end of output `{ c: 1 }`). */
export type WorkerMessage =
  | { readonly done: 1 }
  | { readonly err: ErrorData }
  | { readonly missing: readonly string[] }
  | { readonly reg: string }
  | { readonly unreg: string }
  | { readonly ack: readonly [number, string, unknown] }
  | { readonly decl: readonly [number, string, string] };

/** An error's name, message and stack, for a message. */
export function errorData(err: unknown): ErrorData {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** An Error rebuilt from its data. */
export function fromErrorData(d: ErrorData): Error {
  const e = new Error(d.message);
  e.name = d.name;
  if (d.stack !== undefined) e.stack = d.stack;
  return e;
}
