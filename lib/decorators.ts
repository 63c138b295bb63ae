/**
 * The `@reducible` and `@constructor` decorators. One implementation serves both decorator
 * flavours: TypeScript's `experimentalDecorators` call a class decorator with the class alone and a
 * method decorator with `(class, key, descriptor)`; TC39 decorators pass a context object whose
 * `kind` is a string. Neither needs `emitDecoratorMetadata`.
 */
import { type ClassMetadata, CLASS_METADATA_KEY, getClassMetadata, updateClassMetadata } from './metadata';
import type { ReduceCallable, Reducer, ReduceValue } from './reduction';
import { defaultRegistry } from './registry';
import { needsNew } from './builtins';

/** The global name a decorated class is written under and resolved from. */
export interface ReducibleOptions {
  /** Module part of the global name. Default `'__main__'`, where a Python script's classes live. */
  readonly module?: string;
  /** Qualified name. Default: the class's own `name` (pass it explicitly if you minify). */
  readonly name?: string;
}

/**
 * A class decorator usable in both flavours: legacy calls it with the class, TC39 with the class
 * and a context. `T` ties the class's instances to the reducer's parameter type.
 */
export type ReducibleDecorator<T = any> = (
  target: Function & { prototype: T },
  // Note: `<any>`, not the default `abstract new (...) => any`, which rejects (in TC39 mode) a
  // class whose constructor is private or protected.
  context?: ClassDecoratorContext<any>,
) => void;

interface DecoratorContextLike {
  readonly kind: string;
  readonly name?: string | symbol;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: Record<PropertyKey, unknown>;
  addInitializer?(initializer: (this: unknown) => void): void;
}

function isContext(x: unknown): x is DecoratorContextLike {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string';
}

function checkOptions(options: unknown): ReducibleOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new TypeError('@reducible options must be an object { module?, name? }');
  }
  const { module, name } = options as Record<string, unknown>;
  for (const [field, v] of [['module', module], ['name', name]] as const) {
    if (v !== undefined && (typeof v !== 'string' || v === '')) {
      throw new TypeError(`@reducible option '${field}' must be a non-empty string`);
    }
  }
  return options as ReducibleOptions;
}

function recordClass(
  cls: Function,
  context: DecoratorContextLike | undefined,
  options: ReducibleOptions,
  reducer: Reducer | undefined,
): void {
  if (typeof cls !== 'function') throw new TypeError('@reducible can only decorate a class');
  const contextName = typeof context?.name === 'string' ? context.name : undefined;
  const module = options.module;
  // Note: a second decorator without a name keeps the name an earlier one gave.
  const name = options.name ?? getClassMetadata(cls)?.name ?? contextName;
  if ((name ?? cls.name) === '') {
    throw new TypeError('@reducible: a class without a name needs an explicit { module, name }');
  }
  if (reducer !== undefined) defaultRegistry.pickle(cls, reducer);
  const meta = updateClassMetadata(cls, { module, name, reducer });
  defaultRegistry.declare(cls, { module: meta.module, name: meta.name, strong: true, isClass: true });
  for (const key of meta.factories) declareFactory(cls, key, meta);
  if (context?.metadata) context.metadata[CLASS_METADATA_KEY] = meta;
}

/**
 * `provisional`: a legacy method decorator, which runs before the class decorator that may name
 * the class; the name it declares is the class's default name and may belong to another class.
 */
function declareFactory(cls: Function, key: string | symbol, meta: ClassMetadata, provisional = false): void {
  const fn = (cls as unknown as Record<string | symbol, unknown>)[key];
  const name = `${meta.name}.${String(key)}`;
  // Note: a provisional name is given back when the class decorator names the class.
  const old = typeof fn === 'function' ? defaultRegistry.nameOf(fn) : undefined;
  if (old !== undefined && (old.module !== meta.module || old.name !== name)) defaultRegistry.forget(old.module, old.name, fn as Function);
  const holder = defaultRegistry.resolve(meta.module, name);
  defaultRegistry.declare(fn, {
    module: meta.module,
    name,
    // Note: a provisional name held by another callable is no conflict yet: the class decorator
    // that follows may rename this class.
    strong: !(provisional && holder !== undefined && holder !== fn),
    thisArg: cls,
  });
}

/**
 * Class decorator: registers how instances of the class reduce (`pickle(Class, reducer)`), makes
 * the class loadable (`constructor(Class)`), and records both as reflect-metadata on the class.
 *
 * The reducer's result is type-checked: `[Class, args]` must pass `args` that fit the class's
 * constructor parameters.
 *
 * @param reducer `(obj) => reduceValue`, as for `copyreg.pickle`; omit it to keep the default
 *   reduction (own properties, constructor not run). `undefined` and `null` both mean "no
 *   reducer", so `@reducible(undefined, options)` and `@reducible(null, options)` are the same as
 *   `@reducible(options)`.
 * @param options The global name `{ module, name }` the class is pickled under.
 * @returns The decorator.
 * @throws {TypeError} when `reducer` is neither a function, an options object, `undefined` nor
 *   `null`, when an option is not a non-empty string, or when a class without a name is given no
 *   `name`.
 * @throws {Error} at decoration when another decorated callable already holds the global name.
 * @example
 * ```ts
 * @reducible((p: Point) => [Point, [p.x, p.y]], { module: 'geometry', name: 'Point' })
 * class Point { constructor(readonly x: number, readonly y: number) {} }
 * ```
 */
export function reducible<T, F extends ReduceCallable>(
  reducer: (obj: T) => ReduceValue<F>,
  options?: ReducibleOptions,
): ReducibleDecorator<T>;
export function reducible(options?: ReducibleOptions): ReducibleDecorator;
export function reducible(reducer: undefined | null, options?: ReducibleOptions): ReducibleDecorator;
export function reducible(target: Function, context?: ClassDecoratorContext<any>): void;
export function reducible(first?: unknown, second?: unknown): ReducibleDecorator | void {
  // Note: on a method or field, TC39 passes a context of another kind, legacy a property key.
  const memberKey = typeof second === 'string' || typeof second === 'symbol';
  const owner = (typeof first === 'object' && first !== null) || (typeof first === 'function' && needsNew(first));
  if ((isContext(second) && second.kind !== 'class') || (memberKey && owner)) {
    throw new TypeError('@reducible can only decorate a class');
  }
  // Note: a reducer is never a class, so a class here means the bare form `@reducible`.
  if (typeof first === 'function' && needsNew(first) && (second === undefined || isContext(second))) {
    recordClass(first, isContext(second) ? second : undefined, {}, undefined);
    return;
  }
  let reducer: Reducer | undefined;
  let options: ReducibleOptions;
  if (typeof first === 'function') {
    reducer = first as Reducer;
    options = checkOptions(second);
  } else if (first === undefined || first === null) {
    // Note: no reducer, so the options (if any) are the second argument.
    options = checkOptions(second);
  } else if (typeof first === 'object') {
    options = checkOptions(first);
  } else {
    throw new TypeError('reduction functions must be callable');
  }
  return (target: Function, context?: ClassDecoratorContext<any>) => {
    if (context !== undefined && context.kind !== 'class') {
      throw new TypeError('@reducible can only decorate a class');
    }
    recordClass(target, context as DecoratorContextLike | undefined, options, reducer);
  };
}

/**
 * Declares a callable loadable: `loads` may call it when a pickle names it (CPython's
 * `copyreg.constructor`, which only checks its argument, given a real meaning: the loader's
 * allow-list). Also a decorator: on a class it makes the class loadable; on a static method it
 * makes that factory loadable, called with the class as `this`.
 *
 * @param fn The class or function.
 * @throws {TypeError} `constructors must be callable` when `fn` is not callable; when the
 *   decorator is put on anything but a class or a (non-private) static method; when `fn` has no
 *   name (declare it with `defaultRegistry.declare(fn, { module, name })`).
 * @example
 * ```ts
 * constructor(makePoint);
 * class Point { @constructor static of(x: number, y: number) { return new Point(x, y); } }
 * ```
 */
export function constructor(fn: unknown): void;
export function constructor(target: Function, context: ClassDecoratorContext<any>): void;
export function constructor(target: Function, key: string | symbol, descriptor: PropertyDescriptor): void;
export function constructor<F extends (this: unknown, ...args: any) => any>(
  value: F,
  context: ClassMethodDecoratorContext<unknown, F> & { readonly static: true },
): void;
export function constructor(target: unknown, second?: unknown, descriptor?: unknown): void {
  if (isContext(second)) {
    if (second.kind === 'class') {
      recordClass(target as Function, second, {}, undefined);
      return;
    }
    if (second.kind === 'method' && second.static === true && typeof target === 'function') {
      if (second.private === true) throw new TypeError('@constructor cannot decorate a private static method');
      const key = second.name as string | symbol;
      const metadata = second.metadata;
      // Note: the class does not exist yet while a TC39 method decorator runs; its static
      // initializers run once it does, with `this` bound to it.
      second.addInitializer?.(function (this: unknown) {
        const meta = updateClassMetadata(this as Function, { factory: key });
        declareFactory(this as Function, key, meta);
        if (metadata) metadata[CLASS_METADATA_KEY] = meta;
      });
      return;
    }
    throw new TypeError(
      `@constructor can only decorate a class or a static method, not ${second.static === false ? 'an instance ' : 'a '}${second.kind}`,
    );
  }
  if (second !== undefined) {
    // Legacy member decorator: the target is the class for a static member, a prototype otherwise.
    const value = (descriptor as PropertyDescriptor | undefined)?.value;
    if (typeof target !== 'function' || typeof value !== 'function') {
      throw new TypeError('@constructor can only decorate a class or a static method');
    }
    const meta = updateClassMetadata(target, { factory: second as string | symbol });
    declareFactory(target, second as string | symbol, meta, true);
    return;
  }
  // Note: a legacy class decorator and a plain constructor(C) call cannot be told apart, so both
  // declare weakly (no name-conflict error); @reducible always reports conflicts.
  if (typeof target === 'function' && needsNew(target)) {
    const meta = updateClassMetadata(target, {});
    defaultRegistry.declare(target, { module: meta.module, name: meta.name, isClass: true });
    return;
  }
  defaultRegistry.declare(target);
}
