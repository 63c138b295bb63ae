/**
 * Reduction metadata stored on classes with reflect-metadata. This is the only module that calls
 * `Reflect.*Metadata`, so the storage format is decided in one place.
 */
import 'reflect-metadata';
import type { Reducer } from './reduction';

/**
 * The reflect-metadata key under which `@reducible` and `@constructor` record a class's metadata.
 * A `Symbol.for` key, so two loaded copies of the package read each other's metadata.
 */
export const CLASS_METADATA_KEY: unique symbol = Symbol.for('copyreg:class') as never;

/** What `@reducible` / `@constructor` record on a class (read it with {@link getClassMetadata}). */
export interface ClassMetadata {
  /** The module part of the global name the class is written under (`__main__` by default). */
  readonly module: string;
  /** The qualified name part (the class's own `name` by default). */
  readonly name: string;
  /** The reducer given to `@reducible(reducer)`, if any. */
  readonly reducer?: Reducer;
  /** Names of the static methods declared loadable with `@constructor`. */
  readonly factories: readonly (string | symbol)[];
}

/**
 * Reads the metadata that `@reducible` / `@constructor` recorded on a class itself (not inherited
 * from a base class: a subclass is a different global, as in Python).
 *
 * @param cls The class.
 * @returns The metadata, or `undefined` when the class was never decorated.
 */
export function getClassMetadata(cls: Function): ClassMetadata | undefined {
  return Reflect.getOwnMetadata(CLASS_METADATA_KEY, cls) as ClassMetadata | undefined;
}

/**
 * Writes (merges into) the metadata of a class.
 *
 * @param cls The class.
 * @param update The fields to set; `factories` are appended to the existing list.
 * @returns The metadata now stored.
 */
export function updateClassMetadata(
  cls: Function,
  update: Partial<Omit<ClassMetadata, 'factories'>> & { factory?: string | symbol },
): ClassMetadata {
  const old = getClassMetadata(cls);
  const factories = old ? [...old.factories] : [];
  if (update.factory !== undefined && !factories.includes(update.factory)) {
    factories.push(update.factory);
  }
  const next: ClassMetadata = {
    module: update.module ?? old?.module ?? DEFAULT_MODULE,
    name: update.name ?? old?.name ?? cls.name,
    reducer: update.reducer ?? old?.reducer,
    factories,
  };
  Reflect.defineMetadata(CLASS_METADATA_KEY, next, cls);
  return next;
}

/**
 * The module name given to classes and functions that do not name one, the module a Python script's
 * own classes live in.
 */
export const DEFAULT_MODULE = '__main__';
