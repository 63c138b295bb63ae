/**
 * The Unpickler: reads every opcode of protocols 0 to 5, as CPython's C unpickler does, and is
 * safe by default.
 *
 * Safety: the only callables ever run are the ones declared loadable (`constructor`,
 * `@constructor`, `@reducible`, `pickle(type, fn, ctor)`) and a fixed allow-list of standard
 * Python globals implemented natively in typemap.ts. Any other global is refused before anything
 * runs (or, with `placeholders`, loaded as an inert PyGlobal). Declared lengths are checked against
 * the input before anything is allocated, the memo is a Map, keys such as `__proto__` become own
 * properties, and every failure surfaces as an UnpicklingError.
 */
import { UnpicklingError, typeName } from './errors';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { py3Name } from './pynames';
import { newobj } from './reduce';
import { defaultRegistry, type Registry } from './registry';
import { findMapDicts } from './mapscan';
import { OTHER, walkSymbols } from './prescan';
import { isNative, nativeGlobal, nativeName } from './typemap';
import { UnpicklerCore } from './unpickler-core';
import type { PickleData } from './unpickler-input';
import { MapNeeded, PARTIAL_NATIVE, PyParent } from './unpickler-values';

const MISSING = Symbol('missing');

/** Options of {@link Unpickler} (and of `loads`). */
export interface UnpicklerOptions {
  /** At protocol < 3, map Python 2 names (`__builtin__`, `copy_reg`) to Python 3. Default true. */
  fixImports?: boolean;
  /**
   * How Python 2 `str` (STRING, BINSTRING, SHORT_BINSTRING) is decoded: a codec name (`'ASCII'`,
   * the default, `'latin1'`, `'utf-8'`, or one of Python's 8-bit codecs: `'cp1252'`, `'koi8-r'`,
   * `'latin2'`, `'mac_roman'`, … with their Python aliases), or `'bytes'` to keep them as
   * Uint8Array. Multi-byte codecs (`'shift_jis'`, `'gbk'`, …) are not available.
   */
  encoding?: string;
  /** Decoding errors, as Python's codecs name them: `'strict'` (default), `'replace'`, `'ignore'`, `'surrogateescape'`, `'backslashreplace'`, `'surrogatepass'` (UTF-8). */
  errors?: string;
  /** Out-of-band buffers for NEXT_BUFFER, consumed in order (protocol 5). */
  buffers?: Iterable<unknown> | null;
  /** Resolves persistent ids (PERSID / BINPERSID). */
  persistentLoad?: (pid: unknown) => unknown;
  /** Resolves globals; replaces the default allow-list lookup. */
  findClass?: (module: string, name: string) => unknown;
  /** Load globals that are not allowed as inert PyGlobal / PyObject placeholders, instead of failing. */
  placeholders?: boolean;
  /** Where loadable callables and extension codes are declared. Default: the default registry. */
  registry?: Registry;
}

/**
 * Reads pickles from bytes. `load()` reads one pickle and leaves the position after its STOP, so
 * several pickles written back to back are read by calling it again; the memo is kept between
 * calls, as CPython's is.
 */
export class Unpickler extends UnpicklerCore {
  /** The registry whose declared callables may be called. */
  readonly registry: Registry;
  /** Whether unknown globals load as placeholders. */
  readonly placeholders: boolean;
  private readonly fixImports: boolean;
  /** Whether Python 2 `str` opcodes load as strings (any `encoding` but `'bytes'`). */
  private readonly py2StrIsStr: boolean;

  /**
   * @param data The pickle bytes (not copied; do not change them while loading).
   * @param options Decoding, buffers, hooks and the allow-list (see {@link UnpicklerOptions}).
   */
  constructor(data: PickleData, options?: UnpicklerOptions | null) {
    options ??= {};
    super(data, options.encoding ?? 'ASCII', options.errors ?? 'strict');
    this.registry = options.registry ?? defaultRegistry;
    this.placeholders = options.placeholders ?? false;
    this.fixImports = options.fixImports ?? true;
    this.py2StrIsStr = options.encoding === undefined || options.encoding.toLowerCase().replace(/[-_]/g, '') !== 'bytes';
    if (options.buffers !== undefined && options.buffers !== null) {
      const buffers = options.buffers as { [Symbol.iterator]?: unknown };
      if (typeof buffers[Symbol.iterator] !== 'function') throw new TypeError("'buffers' is not iterable");
      this.buffersSource = options.buffers as Iterable<unknown>;
      this.buffers = this.buffersSource[Symbol.iterator]();
    }
    if (options.persistentLoad) this.persistentLoad = options.persistentLoad;
    if (options.findClass) this.findClass = options.findClass;
  }

  /**
   * Reads one pickle.
   *
   * @returns The value, typed `any` as Python's `load` returns `Any`: assign it to the type you
   *   expect (nothing checks it).
   * @throws {UnpicklingError} for malformed input and for any global that is not allowed; never
   *   anything else (errors from hooks are wrapped, with the original as `cause`).
   */
  load(): any {
    const start = this.pos;
    this.prescanned = false;
    this.resolved.clear();
    this.replayable = this.memoSize() === 0;
    this.buffersBefore = this.buffersUsed;
    try {
      return this.run();
    } catch (e) {
      let error = e;
      if (e instanceof MapNeeded && this.canReplay()) {
        // Note: a rare shape of CPython pickle; the opcodes say which dicts get non-string keys,
        // and a second load makes those Maps from the start. Declared callables run again.
        this.mapDicts = findMapDicts(this.data, start, this.py2StrIsStr);
        if (this.buffersUsed > this.buffersBefore) {
          // Only an array gets here (canReplay): take this load's buffers again, from its first.
          this.buffers = this.buffersSource![Symbol.iterator]();
          for (let i = 0; i < this.buffersBefore; i++) this.buffers.next();
          this.buffersUsed = this.buffersBefore;
        }
        this.resetMachine();
        this.pos = start;
        this.prescanned = false;
        this.replayable = false;
        try {
          return this.run();
        } catch (again) {
          error = again;
        } finally {
          this.mapDicts = undefined;
        }
      }
      if (error instanceof UnpicklingError) throw error;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new UnpicklingError(message, { cause: error });
    }
  }

  /** Whether the rest of this load has been checked for forbidden globals (see prescan). */
  private prescanned = false;
  /**
   * What the pre-scan resolved, by opcode position, for the rest of this load: findClass is
   * called once per GLOBAL, as in CPython, not again when the opcode is reached.
   */
  private readonly resolved = new Map<number, unknown>();

  /**
   * Before the first callable of the user's runs (a declared class or function, a persistentLoad
   * hook), resolves every global the rest of the pickle names, so that a forbidden one is
   * refused before anything has run. STACK_GLOBAL names are followed through the stack and the
   * memo; a name built by a call cannot be known in advance and is checked when it is reached.
   */
  protected beforeUserCode(keep: number, push: number): void {
    if (this.prescanned) return;
    this.prescanned = true;
    const stack: (string | null | typeof OTHER)[] = [];
    const marks = this.marks;
    let m = 0;
    for (let i = 0; i <= keep; i++) {
      while (m < marks.length && marks[m] === i) {
        stack.push(null);
        m++;
      }
      if (i < keep) stack.push(typeof this.stack[i] === 'string' ? (this.stack[i] as string) : OTHER);
    }
    for (let i = 0; i < push; i++) stack.push(OTHER);
    walkSymbols(
      this.data,
      this.pos,
      {
        stack,
        memo: (idx) => {
          const v = this.memoArr.length > idx ? this.memoArr[idx] : this.memoMap.has(idx) ? this.memoMap.get(idx) : MISSING;
          return v === MISSING ? undefined : typeof v === 'string' ? v : OTHER;
        },
        memoSize: this.memoSize(),
        py2StrIsStr: this.py2StrIsStr,
        proto: this.proto,
      },
      {
        global: (module, name, proto, at) => void this.resolved.set(at, this.resolveGlobalAt(module, name, proto)),
        ext: (code) => this.resolveExtension(code),
      },
    );
  }


  /**
   * Resolves a global named in the pickle (CPython's `find_class`). The default looks, in order,
   * at the fixed allow-list of Python globals, then at the callables declared in the registry;
   * anything else is refused (or becomes a PyGlobal placeholder with `placeholders: true`).
   *
   * @param module The module, after the Python 2 → 3 mapping at protocol < 3.
   * @param name The qualified name.
   * @returns The value the global stands for.
   * @throws {UnpicklingError} `global 'module.name' is forbidden`.
   */
  findClass(module: string, name: string): unknown {
    if (module === 'builtins' && name === 'getattr') return this.getattr;
    if (module === 'functools' && name === 'partial') return PARTIAL_NATIVE;
    const native = nativeGlobal(module, name);
    if (native !== undefined) return native.value;
    const fn = this.registry.resolve(module, name);
    if (fn !== undefined) return fn;
    // Note: the parent of a declared nested name is only a way to it (see getattr), inert itself.
    if (this.placeholders) return new PyGlobal(module, name);
    if (this.registry.isParent(module, name)) return new PyParent(module, name);
    throw new UnpicklingError(`global '${module}.${name}' is forbidden`);
  }

  /** Resolves a GLOBAL / INST / STACK_GLOBAL / EXT name through {@link findClass}. */
  protected resolveGlobal(module: string, name: string, at: number): unknown {
    if (this.resolved.size !== 0 && this.resolved.has(at)) return this.resolved.get(at);
    return this.resolveGlobalAt(module, name, this.proto);
  }

  /** {@link resolveGlobal} as it will be at a point whose PROTO opcode said `proto`. */
  private resolveGlobalAt(module: string, name: string, proto: number): unknown {
    let [m, n] = [module, name];
    if (proto < 3 && this.fixImports) [m, n] = py3Name(module, name);
    return this.findClass(m, n);
  }

  /** EXT1/2/4: the registry's inverted extension table, then {@link findClass}. */
  protected resolveExtension(code: number): unknown {
    if (code <= 0) throw new UnpicklingError('EXT specifies code <= 0');
    // Note: the cache is shared by every load, so it holds only what the default findClass
    // allows; a load with its own findClass or with placeholders neither reads nor fills it.
    const shared = this.findClass === Unpickler.prototype.findClass && !this.placeholders;
    const cache = this.registry.extensionCache;
    if (shared && cache.has(code)) return cache.get(code);
    const key = this.registry.invertedRegistry.get(code);
    if (key === undefined) throw new UnpicklingError(`unregistered extension code ${code}`);
    const value = this.findClass(key[0], key[1]);
    if (shared) cache.set(code, value);
    return value;
  }

  /** Whether REDUCE / NEWOBJ may call this value (declared callables and the allow-list). */
  protected isCallable(fn: unknown): boolean {
    return typeof fn === 'function';
  }

  /**
   * `builtins.getattr`, restricted to what pickles of allowed classes need: `cls.__new__` and a
   * declared static factory (`Class.factory`, protocols < 4 write these through getattr).
   */
  private readonly getattr = (obj: unknown, attr: unknown): unknown => {
    if (typeof attr !== 'string') throw new UnpicklingError('getattr() attribute name must be a string');
    if (obj instanceof PyGlobal) return this.findClass(obj.module, `${obj.name}.${attr}`);
    const native = nativeName(obj);
    if (native !== undefined) {
      const member = nativeGlobal(native.module, `${native.name}.${attr}`);
      if (member !== undefined) return member.value;
    }
    if (typeof obj === 'function') {
      if (attr === '__new__') {
        return (cls: Function, ...args: unknown[]) => newobj(cls as never, ...args);
      }
      const name = this.registry.nameOf(obj);
      if (name !== undefined) {
        const fn = this.registry.resolve(name.module, `${name.name}.${attr}`);
        if (fn !== undefined) return fn;
      }
    }
    if (this.placeholders) return new PyObject(new PyGlobal('builtins', 'getattr'), [obj, attr]);
    throw new UnpicklingError(`getattr(${typeName(obj)}, '${attr}') is forbidden`);
  };
}

export { PickleBuffer };
