/**
 * copyreg: Python's `copyreg`, `copy` and `pickle` for TypeScript. This file is the public
 * surface; everything exported here is listed in SPEC.md or documented in the README.
 */
import { defaultRegistry } from './registry';
import type { Reducer } from './reduction';

export { CopyError, PickleError, PicklingError, UnpicklingError } from './errors';
export { copy, replace } from './copy';
export { deepcopy } from './deepcopy';
export { reducible, constructor } from './decorators';
export type { ReducibleOptions, ReducibleDecorator } from './decorators';
export { CLASS_METADATA_KEY, getClassMetadata } from './metadata';
export type { ClassMetadata } from './metadata';
export { newobj, newobjEx, reconstructor } from './reduce';
export type {
  Reducer,
  ReduceValue,
  ReduceTuple,
  ReduceCallable,
  ReduceArgs,
} from './reduction';
export { Registry, defaultRegistry } from './registry';
export { dumps, loads } from './pickle';
export { dump, load, loadAll } from './fileio';
export type {
  ByteWriter,
  PickleInput,
  PickleSink,
  PickleSource,
  PickleTarget,
  WebReadableStream,
  WebWritableStream,
} from './fileio';
export { Pickler, NotImplemented } from './pickler';
export type { PicklerOptions } from './pickler';
export { Unpickler } from './unpickler';
export type { UnpicklerOptions } from './unpickler';
export type { PickleData } from './unpickler-input';
export { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
export type { PyObjectForm } from './pyobjects';
export { DEFAULT_PROTOCOL, HIGHEST_PROTOCOL } from './opcodes';
export { dis } from './dis';
export type { DisOptions } from './dis';
export type { GlobalName, DeclareOptions } from './registry';

/**
 * The global dispatch table (CPython's `copyreg.dispatch_table`): class → reducer, looked up by
 * exact class by `copy`, `deepcopy` and every Pickler without its own table. Edits take effect at
 * once.
 */
export const dispatchTable: Map<Function, Reducer> = defaultRegistry.dispatchTable;

/**
 * Registers `reducer` for objects whose class is exactly `type` (CPython's `copyreg.pickle`).
 *
 * @param type The class.
 * @param reducer `(obj) => reduceValue`.
 * @param constructorOb When given, declared loadable as by `constructor(constructorOb)`.
 * @throws {TypeError} `reduction functions must be callable` / `constructors must be callable`.
 * @example
 * ```ts
 * pickle(Point, (p) => [Point, [p.x, p.y]], Point);
 * ```
 */
export function pickle<T>(
  type: Function & { prototype: T },
  reducer: Reducer<T>,
  constructorOb?: unknown,
): void {
  defaultRegistry.pickle(type, reducer, constructorOb);
}

/**
 * Registers an extension code for a global (CPython's `copyreg.add_extension`): pickles at
 * protocol 2+ then write the 1-5 byte EXT1/EXT2/EXT4 opcode instead of the name.
 *
 * @param module The module part of the global name.
 * @param name The qualified name.
 * @param code An integer in 1..0x7fffffff.
 * @throws {RangeError} `code out of range`.
 * @throws {Error} `… already registered …` / `… already in use …` on a conflicting registration.
 */
export function addExtension(module: string, name: string, code: number): void {
  defaultRegistry.addExtension(module, name, code);
}

/**
 * Unregisters an extension code (CPython's `copyreg.remove_extension`).
 *
 * @param module The module part.
 * @param name The qualified name.
 * @param code The code it was registered with.
 * @throws {Error} `key (…) is not registered with code N`.
 */
export function removeExtension(module: string, name: string, code: number): void {
  defaultRegistry.removeExtension(module, name, code);
}

/** Empties the cache of objects loaded through extension codes (`copyreg.clear_extension_cache`). */
export function clearExtensionCache(): void {
  defaultRegistry.clearExtensionCache();
}
