/**
 * The registry: Python's `copyreg` module state. It holds the dispatch table (class → reducer),
 * the callables `loads` may call (CPython's vestigial `constructor` given a real meaning: the
 * loader's allow-list) with the global names they are written under, and the two-way extension
 * code registry with its cache.
 */
import { markClass } from './builtins';
import { DEFAULT_MODULE } from './metadata';
import { pyStrRepr } from './pyrepr';
import type { Reducer } from './reduction';

/** A Python global name: `module` and a (possibly dotted) qualified `name`. */
export interface GlobalName {
  readonly module: string;
  readonly name: string;
}

/** How {@link Registry.declare} records a callable. */
export interface DeclareOptions extends Partial<GlobalName> {
  /** Set by decorators: a different callable already registered under the name is an error. */
  readonly strong?: boolean;
  /** For a static factory, the class it is called on. */
  readonly thisArg?: unknown;
  /** The callable is a class (invoked with `new`), whatever its source text looks like. */
  readonly isClass?: boolean;
}

interface Entry {
  readonly fn: Function;
  /** Set for a static factory declared with `@constructor`: it is called with the class as `this`. */
  readonly thisArg?: unknown;
  /** Names given by a decorator are strong: a second callable claiming one is an error. */
  readonly strong: boolean;
}

/**
 * A string key for a (module, name) pair, unambiguous whatever characters the two hold.
 *
 * @param module The module.
 * @param name The qualified name.
 * @returns The key.
 */
export function globalKey(module: string, name: string): string {
  // Note: the module's length first, so that no two (module, name) pairs share a key, whatever
  // characters they hold.
  return `${module.length}:${module}.${name}`;
}

function reprKey(module: string, name: string): string {
  return `(${pyStrRepr(module)}, ${pyStrRepr(name)})`;
}

/**
 * A copyreg registry. The package's functions (`pickle`, `constructor`, `addExtension`, …) act on
 * the default instance ({@link defaultRegistry}); create another to give a Pickler or Unpickler a
 * private set of reducers and loadable callables.
 */
export class Registry {
  /** Class → reducer, looked up by exact class (a subclass is not covered), as `copyreg.dispatch_table`. */
  readonly dispatchTable = new Map<Function, Reducer>();
  /** (module, name) → extension code, as `copyreg._extension_registry` (key: see {@link extensionKey}). */
  readonly extensionRegistry = new Map<string, number>();
  /** Extension code → [module, name], as `copyreg._inverted_registry`. */
  readonly invertedRegistry = new Map<number, readonly [string, string]>();
  /** Extension code → loaded object, filled by the unpickler, as `copyreg._extension_cache`. */
  readonly extensionCache = new Map<number, unknown>();

  private readonly byName = new Map<string, Entry>();
  private readonly names = new Map<Function, GlobalName>();
  private readonly thisArgs = new Map<Function, unknown>();
  /** The dotted parents of declared names (`Outer` of `Outer.Inner`), by {@link globalKey}: how many. */
  private readonly parents = new Map<string, number>();

  /**
   * Registers `reducer` for objects whose class is exactly `type` (CPython's `copyreg.pickle`).
   *
   * @param type The class.
   * @param reducer `(obj) => reduceValue`.
   * @param constructorOb When given, declared loadable with {@link Registry.declare}.
   * @throws {TypeError} `reduction functions must be callable` / `constructors must be callable`.
   */
  pickle(type: Function, reducer: Reducer, constructorOb?: unknown): void {
    if (typeof reducer !== 'function') throw new TypeError('reduction functions must be callable');
    this.dispatchTable.set(type, reducer);
    // Note: as in CPython the entry is added before the constructor is checked.
    if (constructorOb !== undefined && constructorOb !== null) this.declare(constructorOb);
  }

  /**
   * Declares a callable loadable: `loads` may call it when a pickle names it. It is written to and
   * resolved from pickles under a global name (default: module `__main__`, the function's `name`).
   *
   * @param fn The class or function.
   * @param options The global name, and how the declaration was made.
   * @returns The global name used.
   * @throws {TypeError} `constructors must be callable` when `fn` is not a function, or when it has
   *   no name and none is given.
   * @throws {Error} when `strong` and a different decorated callable already holds the name.
   */
  declare(fn: unknown, options: DeclareOptions = {}): GlobalName {
    if (typeof fn !== 'function') throw new TypeError('constructors must be callable');
    const { strong = false, thisArg } = options;
    const gname: GlobalName = {
      module: options.module ?? DEFAULT_MODULE,
      name: options.name ?? fn.name,
    };
    // Note: an empty name cannot be written (CPython refuses it) and would make an anonymous
    // callable loadable as `module.` by any pickle.
    if (gname.name === '') throw new TypeError('a callable without a name needs an explicit { module, name }');
    if (options.isClass) markClass(fn);
    if (thisArg !== undefined) this.thisArgs.set(fn, thisArg);
    const key = globalKey(gname.module, gname.name);
    const old = this.byName.get(key);
    if (old !== undefined && old.fn !== fn && old.strong) {
      if (strong) {
        throw new Error(
          `copyreg: the global name ${gname.module}.${gname.name} is already registered to a ` +
            `different callable (${old.fn.name || 'anonymous'}); give one of them an explicit ` +
            `{ module, name }`,
        );
      }
      // Note: a plain constructor() call never takes a name away from a decorated class. The
      // callable is still declared; pickling it fails because its name resolves elsewhere.
      if (!this.names.has(fn)) this.names.set(fn, gname);
      return gname;
    }
    this.byName.set(key, { fn, thisArg, strong: strong || (old?.fn === fn && old.strong) });
    if (old === undefined) this.countParents(gname.module, gname.name, 1);
    if (strong || !this.names.has(fn)) this.names.set(fn, gname);
    return gname;
  }

  /**
   * Whether `loads` may call `fn`.
   *
   * @param fn Any value.
   * @returns True when declared through `constructor`, `@constructor`, `@reducible` or `pickle`.
   */
  isDeclared(fn: unknown): boolean {
    return typeof fn === 'function' && this.names.has(fn);
  }

  /**
   * The callable declared under a global name (the allow-list check of `findClass`).
   *
   * @param module The module part.
   * @param name The qualified name.
   * @returns The callable, or `undefined` when nothing is declared under that name.
   */
  resolve(module: string, name: string): Function | undefined {
    return this.byName.get(globalKey(module, name))?.fn;
  }

  /**
   * Whether a declared name lies under `module.name`: a pickle below protocol 4 reaches a nested
   * class `Outer.Inner` as `getattr(module.Outer, 'Inner')`, naming the parent first.
   *
   * @param module The module part.
   * @param name A qualified name.
   * @returns True when some declared name starts with `name.`.
   */
  isParent(module: string, name: string): boolean {
    return this.parents.has(globalKey(module, name));
  }

  /**
   * Takes a global name back from `fn` (a legacy static factory is declared under its class's
   * default name before the class decorator gives the class its own).
   *
   * @param module The module part.
   * @param name The qualified name.
   * @param fn The callable that must hold the name for it to be dropped.
   */
  forget(module: string, name: string, fn: Function): void {
    const key = globalKey(module, name);
    if (this.byName.get(key)?.fn !== fn) return;
    this.byName.delete(key);
    this.countParents(module, name, -1);
    const own = this.names.get(fn);
    if (own?.module === module && own.name === name) this.names.delete(fn);
  }

  private countParents(module: string, name: string, delta: number): void {
    for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) {
      const key = globalKey(module, name.slice(0, i));
      const n = (this.parents.get(key) ?? 0) + delta;
      if (n > 0) this.parents.set(key, n);
      else this.parents.delete(key);
    }
  }

  /**
   * The global name a declared callable is written under.
   *
   * @param fn A class or function.
   * @returns Its name, or `undefined` when it was never declared.
   */
  nameOf(fn: Function): GlobalName | undefined {
    return this.names.get(fn);
  }

  /**
   * The `this` a declared static factory is called with.
   *
   * @param fn A function.
   * @returns The class for a factory declared with `@constructor`, else `undefined`.
   */
  thisFor(fn: Function): unknown {
    return this.thisArgs.get(fn);
  }

  /**
   * Registers an extension code for a global (CPython's `copyreg.add_extension`). Pickling then
   * writes EXT1/EXT2/EXT4 for it at protocol 2 and above.
   *
   * @param module The module part.
   * @param name The qualified name.
   * @param code An integer in 1..0x7fffffff.
   * @throws {RangeError} `code out of range`.
   * @throws {Error} when the key or the code is already registered with something else.
   */
  addExtension(module: string, name: string, code: number): void {
    if (typeof module !== 'string' || typeof name !== 'string') {
      throw new TypeError('addExtension() module and name must be strings');
    }
    if (!Number.isInteger(code) || code < 1 || code > 0x7fffffff) {
      throw new RangeError('code out of range');
    }
    const key = extensionKey(module, name);
    const oldCode = this.extensionRegistry.get(key);
    const oldKey = this.invertedRegistry.get(code);
    if (oldCode === code && oldKey?.[0] === module && oldKey[1] === name) return;
    if (oldCode !== undefined) {
      throw new Error(`key ${reprKey(module, name)} is already registered with code ${oldCode}`);
    }
    if (oldKey !== undefined) {
      throw new Error(`code ${code} is already in use for key ${reprKey(oldKey[0], oldKey[1])}`);
    }
    this.extensionRegistry.set(key, code);
    this.invertedRegistry.set(code, [module, name]);
  }

  /**
   * Unregisters an extension code (CPython's `copyreg.remove_extension`).
   *
   * @param module The module part.
   * @param name The qualified name.
   * @param code The code it was registered with.
   * @throws {Error} `key (…) is not registered with code N` when that pair is not registered.
   */
  removeExtension(module: string, name: string, code: number): void {
    const key = extensionKey(module, name);
    const pair = this.invertedRegistry.get(code);
    if (this.extensionRegistry.get(key) !== code || pair?.[0] !== module || pair[1] !== name) {
      throw new Error(`key ${reprKey(module, name)} is not registered with code ${code}`);
    }
    this.extensionRegistry.delete(key);
    this.invertedRegistry.delete(code);
    this.extensionCache.delete(code);
  }

  /** Empties the extension cache (CPython's `copyreg.clear_extension_cache`). */
  clearExtensionCache(): void {
    this.extensionCache.clear();
  }

  /**
   * The extension code registered for a global.
   *
   * @param module The module part.
   * @param name The qualified name.
   * @returns The code, or `undefined`.
   */
  extensionCode(module: string, name: string): number | undefined {
    return this.extensionRegistry.size === 0
      ? undefined
      : this.extensionRegistry.get(extensionKey(module, name));
  }
}

/**
 * The key of {@link Registry.extensionRegistry} for a (module, name) pair.
 *
 * @param module The module part.
 * @param name The qualified name.
 * @returns A string key.
 */
export function extensionKey(module: string, name: string): string {
  return globalKey(module, name);
}

const GLOBAL_KEY = Symbol.for('copyreg.defaultRegistry.v1');

/**
 * The default registry. It lives on `globalThis`, so two loaded copies of the package (say a CJS
 * and a bundled one) share one dispatch table and one allow-list.
 */
export const defaultRegistry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[
  GLOBAL_KEY
] ??= new Registry());
