/**
 * `dumps` / `loads`: CPython's `pickle.dumps` / `pickle.loads` over Uint8Array.
 */
import { Pickler, type PicklerOptions } from './pickler';
import { Unpickler, type UnpicklerOptions } from './unpickler';
import type { PickleData } from './unpickler-input';

/**
 * Pickles a value (CPython's `pickle.dumps`).
 *
 * @param obj The value.
 * @param options `protocol` (default 5), `fixImports`, `bufferCallback`, `dispatchTable`,
 *   `reducerOverride`, `persistentId`; or the protocol alone, as in `dumps(obj, 2)`.
 * @returns The pickle.
 * @throws {PicklingError} for a value that cannot be pickled.
 * @throws {RangeError} for a protocol above 5; {TypeError} for one that is not an integer.
 * @example
 * ```ts
 * const bytes = dumps({ a: [1, 2] }, { protocol: 4 });
 * ```
 */
export function dumps(obj: unknown, options?: PicklerOptions | number | null): Uint8Array {
  return new Pickler(options).dump(obj);
}

/**
 * Reads a pickle (CPython's `pickle.loads`), safely: only declared constructors and a fixed
 * allow-list of standard Python globals are ever called.
 *
 * @param data The pickle: a Uint8Array (or Buffer), an ArrayBuffer, or any other view of bytes.
 * @param options `encoding`, `errors`, `buffers`, `fixImports`, `findClass`, `persistentLoad`,
 *   `placeholders` (load unknown globals as inert PyGlobal/PyObject instead of failing).
 * @returns The value, typed `any` as Python's `loads` returns `Any` (or pass the type you expect:
 *   `loads<Point>(bytes)`; nothing checks it).
 * @throws {UnpicklingError} for malformed input or a forbidden global; nothing else.
 * @example
 * ```ts
 * const value = loads(bytes);
 * ```
 */
export function loads<T = any>(data: PickleData, options?: UnpicklerOptions | null): T {
  return new Unpickler(data, options).load() as T;
}
