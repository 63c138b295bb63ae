// The registry: CPython's Lib/test/test_copyreg.py ported, plus the JS-specific parts of
// SPEC §1 (the shared default registry, private registries, newobj/newobjEx, global names).
//
// Not ported: test_slotnames. It tests copyreg._slotnames, the __slots__ name mangling of Python
// classes; JS has no __slots__ and this library defines no slots convention, so it has no
// counterpart here.
import { expect } from 'chai';

import {
  addExtension,
  clearExtensionCache,
  constructor,
  copy,
  defaultRegistry,
  dispatchTable,
  dumps,
  newobj,
  newobjEx,
  pickle,
  PicklingError,
  Registry,
  removeExtension,
} from '../lib/index';
import type { Reducer } from '../lib/index';
import { extensionKey } from '../lib/registry';

/** Python's `(module, name)` registry key, as the registry stores it. */
function key(module: string, name: string): string {
  return extensionKey(module, name);
}

/**
 * CPython's test.pickletester.ExtensionSaver: takes whatever is registered under `code` out of
 * the default registry, and `restore()` puts it back after removing what the test left there.
 */
class ExtensionSaver {
  private readonly pair: readonly [string, string] | undefined;

  constructor(private readonly code: number) {
    this.pair = defaultRegistry.invertedRegistry.get(code);
    if (this.pair !== undefined) removeExtension(this.pair[0], this.pair[1], code);
  }

  restore(): void {
    const current = defaultRegistry.invertedRegistry.get(this.code);
    if (current !== undefined) removeExtension(current[0], current[1], this.code);
    if (this.pair !== undefined) addExtension(this.pair[0], this.pair[1], this.code);
  }
}

describe('registry', () => {
  describe('CPython test_copyreg.py', () => {
    class RegistrySpecC {}
    const pickleC: Reducer<RegistrySpecC> = () => [RegistrySpecC, []];

    afterEach(() => {
      dispatchTable.delete(RegistrySpecC);
    });

    it('test_class', () => {
      // Classes may be registered (3.12+); a non-callable reducer is the [≤3.11] half.
      pickle(RegistrySpecC, pickleC);
      expect(dispatchTable.get(RegistrySpecC)).to.equal(pickleC);
      expect(() => pickle(RegistrySpecC, null as never, null)).to.throw(
        TypeError,
        'reduction functions must be callable',
      );
    });

    it('test_noncallable_reduce', () => {
      expect(() => pickle(Number, 'not a callable' as never)).to.throw(
        TypeError,
        'reduction functions must be callable',
      );
      expect(dispatchTable.has(Number)).to.equal(false);
    });

    it('test_noncallable_constructor', () => {
      expect(() => pickle(RegistrySpecC, pickleC, 'not a callable')).to.throw(
        TypeError,
        'constructors must be callable',
      );
    });

    it('test_bool', () => {
      expect(copy(true)).to.equal(true);
    });

    it('test_extension_registry', () => {
      const mod = 'junk1 ';
      const func = ' junk2';
      const code = 0xabcd;
      const registry = defaultRegistry.extensionRegistry;
      const inverted = defaultRegistry.invertedRegistry;
      let e = new ExtensionSaver(code);
      try {
        // Not in the registry yet.
        expect(() => removeExtension(mod, func, code)).to.throw(Error, 'not registered');
        addExtension(mod, func, code);
        expect(registry.get(key(mod, func))).to.equal(code);
        expect(inverted.get(code)).to.deep.equal([mod, func]);
        expect(defaultRegistry.extensionCache.has(code)).to.equal(false);
        // A redundant registration is harmless.
        addExtension(mod, func, code);
        // Conflicting code.
        expect(() => addExtension(mod, func, code + 1)).to.throw(Error, 'already registered');
        expect(() => removeExtension(mod, func, code + 1)).to.throw(Error, 'not registered');
        // Conflicting module name.
        expect(() => addExtension(mod.slice(1), func, code)).to.throw(Error, 'already in use');
        expect(() => removeExtension(mod.slice(1), func, code)).to.throw(Error, 'not registered');
        // Conflicting function name.
        expect(() => addExtension(mod, func.slice(1), code)).to.throw(Error, 'already in use');
        expect(() => removeExtension(mod, func.slice(1), code)).to.throw(Error, 'not registered');
        // Cannot remove one that is not registered at all.
        if (!inverted.has(code + 1)) {
          expect(() => removeExtension(mod.slice(1), func.slice(1), code + 1)).to.throw(
            Error,
            'not registered',
          );
        }
      } finally {
        e.restore();
      }
      expect(registry.has(key(mod, func))).to.equal(false);

      // Valid codes at the limits.
      for (const c of [1, 0x7fffffff]) {
        e = new ExtensionSaver(c);
        try {
          addExtension(mod, func, c);
          removeExtension(mod, func, c);
        } finally {
          e.restore();
        }
      }

      // Invalid codes.
      for (const c of [-1, 0, 0x80000000]) {
        expect(() => addExtension(mod, func, c)).to.throw(RangeError, 'code out of range');
      }
    });

    it("quotes keys in messages as Python's repr does, and wants string names", () => {
      const code = 0x7ffffff0;
      const saved = new ExtensionSaver(code);
      try {
        addExtension("it's", 'a\nb', code);
        expect(() => addExtension("it's", 'a\nb', code - 1)).to.throw(Error, `key ("it's", 'a\\nb') is already registered with code ${code}`);
        expect(() => removeExtension('m\x00', 'n', code)).to.throw(Error, "key ('m\\x00', 'n') is not registered");
        expect(() => addExtension(null as never, 'x', 300)).to.throw(TypeError, 'must be strings');
      } finally {
        removeExtension("it's", 'a\nb', code);
        saved.restore();
      }
    });
  });

  describe('pickle()', () => {
    it('adds the entry before checking the constructor, as CPython does', () => {
      const registry = new Registry();
      class RegistrySpecOrder {}
      const reducer: Reducer = () => [RegistrySpecOrder, []];
      expect(() => registry.pickle(RegistrySpecOrder, reducer, 42)).to.throw(
        TypeError,
        'constructors must be callable',
      );
      expect(registry.dispatchTable.get(RegistrySpecOrder)).to.equal(reducer);
    });

    it('checks the reducer before adding anything', () => {
      const registry = new Registry();
      class RegistrySpecNoReducer {}
      expect(() => registry.pickle(RegistrySpecNoReducer, 'nope' as never, 'also nope')).to.throw(
        TypeError,
        'reduction functions must be callable',
      );
      expect(registry.dispatchTable.size).to.equal(0);
    });

    it('declares the constructor loadable when one is given', () => {
      const registry = new Registry();
      class RegistrySpecWithCtor {}
      function makeRegistrySpecWithCtor(): RegistrySpecWithCtor {
        return new RegistrySpecWithCtor();
      }
      registry.pickle(RegistrySpecWithCtor, () => [makeRegistrySpecWithCtor, []]);
      expect(registry.isDeclared(makeRegistrySpecWithCtor)).to.equal(false);
      registry.pickle(
        RegistrySpecWithCtor,
        () => [makeRegistrySpecWithCtor, []],
        makeRegistrySpecWithCtor,
      );
      expect(registry.isDeclared(makeRegistrySpecWithCtor)).to.equal(true);
      expect(registry.isDeclared(RegistrySpecWithCtor)).to.equal(false);
    });

    it('treats a null or undefined constructor as absent', () => {
      const registry = new Registry();
      class RegistrySpecNullCtor {}
      registry.pickle(RegistrySpecNullCtor, () => '', null);
      registry.pickle(RegistrySpecNullCtor, () => '', undefined);
      expect(registry.dispatchTable.has(RegistrySpecNullCtor)).to.equal(true);
    });

    it('lets a later registration overwrite an earlier one', () => {
      const registry = new Registry();
      class RegistrySpecTwice {}
      const first = () => 'first';
      const second = () => 'second';
      registry.pickle(RegistrySpecTwice, first);
      registry.pickle(RegistrySpecTwice, second);
      expect(registry.dispatchTable.get(RegistrySpecTwice)).to.equal(second);
      expect(registry.dispatchTable.size).to.equal(1);
    });

    it('the global pickle() writes the global dispatchTable, which copy reads at once', () => {
      class RegistrySpecGlobal {
        constructor(public v: number) {}
      }
      const x = new RegistrySpecGlobal(1);
      try {
        pickle(RegistrySpecGlobal, (o) => [RegistrySpecGlobal, [o.v + 1]]);
        expect(dispatchTable.has(RegistrySpecGlobal)).to.equal(true);
        expect(copy(x).v).to.equal(2);
        dispatchTable.delete(RegistrySpecGlobal);
        expect(copy(x).v).to.equal(1);
      } finally {
        dispatchTable.delete(RegistrySpecGlobal);
      }
    });
  });

  describe('constructor()', () => {
    it('rejects what is not callable', () => {
      for (const bad of [undefined, null, 42, 'f', {}, [], Symbol('s')]) {
        expect(() => constructor(bad)).to.throw(TypeError, 'constructors must be callable');
      }
    });

    it('declares functions in the default registry', () => {
      function registrySpecFactory(): number {
        return 1;
      }
      constructor(registrySpecFactory);
      expect(defaultRegistry.isDeclared(registrySpecFactory)).to.equal(true);
      expect(defaultRegistry.nameOf(registrySpecFactory)).to.deep.equal({
        module: '__main__',
        name: 'registrySpecFactory',
      });
    });
  });

  describe('dispatchTable', () => {
    it('is the live Map of the default registry', () => {
      expect(dispatchTable).to.be.an.instanceOf(Map);
      expect(dispatchTable).to.equal(defaultRegistry.dispatchTable);
    });

    it('edits take effect at once, by exact class only', () => {
      class RegistrySpecLive {
        n = 1;
      }
      class RegistrySpecLiveSub extends RegistrySpecLive {}
      const sentinel = new RegistrySpecLive();
      try {
        dispatchTable.set(RegistrySpecLive, () => [() => sentinel, []]);
        expect(copy(new RegistrySpecLive())).to.equal(sentinel);
        const sub = new RegistrySpecLiveSub();
        const subCopy = copy(sub);
        expect(subCopy).to.not.equal(sentinel);
        expect(subCopy).to.be.an.instanceOf(RegistrySpecLiveSub);
      } finally {
        dispatchTable.delete(RegistrySpecLive);
      }
      expect(copy(new RegistrySpecLive())).to.not.equal(sentinel);
    });
  });

  describe('the extension registry', () => {
    it('rejects codes that are not integers in 1..0x7fffffff', () => {
      const registry = new Registry();
      for (const c of [-1, 0, 0x80000000, 1.5, NaN, Infinity, -Infinity, '7', null, 7n]) {
        expect(() => registry.addExtension('m', 'n', c as never)).to.throw(
          RangeError,
          'code out of range',
        );
      }
      expect(registry.extensionRegistry.size).to.equal(0);
      expect(registry.invertedRegistry.size).to.equal(0);
    });

    it("uses CPython's messages", () => {
      const registry = new Registry();
      registry.addExtension('m', 'n', 5);
      expect(() => registry.addExtension('m', 'n', 6)).to.throw(
        Error,
        "key ('m', 'n') is already registered with code 5",
      );
      expect(() => registry.addExtension('m', 'o', 5)).to.throw(
        Error,
        "code 5 is already in use for key ('m', 'n')",
      );
      expect(() => registry.removeExtension('m', 'n', 6)).to.throw(
        Error,
        "key ('m', 'n') is not registered with code 6",
      );
    });

    it('removes a pair from both maps and from the cache', () => {
      const registry = new Registry();
      registry.addExtension('m', 'n', 300);
      registry.extensionCache.set(300, 'loaded');
      expect(registry.extensionCode('m', 'n')).to.equal(300);
      registry.removeExtension('m', 'n', 300);
      expect(registry.extensionRegistry.size).to.equal(0);
      expect(registry.invertedRegistry.size).to.equal(0);
      expect(registry.extensionCache.has(300)).to.equal(false);
      expect(registry.extensionCode('m', 'n')).to.equal(undefined);
      expect(() => registry.removeExtension('m', 'n', 300)).to.throw(Error, 'not registered');
    });

    it('keeps module and name apart in the key', () => {
      const registry = new Registry();
      registry.addExtension('a.b', 'c', 1);
      registry.addExtension('a', 'b.c', 2);
      expect(registry.extensionCode('a.b', 'c')).to.equal(1);
      expect(registry.extensionCode('a', 'b.c')).to.equal(2);
    });

    it('clearExtensionCache() empties only the cache', () => {
      const registry = new Registry();
      registry.addExtension('m', 'n', 7);
      registry.extensionCache.set(7, {});
      registry.clearExtensionCache();
      expect(registry.extensionCache.size).to.equal(0);
      expect(registry.extensionCode('m', 'n')).to.equal(7);
    });

    it('the global clearExtensionCache() empties the default cache', () => {
      const cache = defaultRegistry.extensionCache;
      const saved = [...cache];
      try {
        cache.set(0x7ffffffe, 'x');
        clearExtensionCache();
        expect(cache.size).to.equal(0);
      } finally {
        for (const [k, v] of saved) cache.set(k, v);
      }
    });
  });

  describe('the default registry', () => {
    const GLOBAL_KEY = Symbol.for('copyreg.defaultRegistry.v1');

    it('lives on globalThis under a Symbol.for key', () => {
      expect((globalThis as Record<symbol, unknown>)[GLOBAL_KEY]).to.equal(defaultRegistry);
      expect(defaultRegistry).to.be.an.instanceOf(Registry);
    });

    it('is shared by a second loaded copy of the module', () => {
      // Arrange: load lib/registry afresh, as a second copy of the package would be.
      const path = require.resolve('../lib/registry');
      const cached = require.cache[path];
      delete require.cache[path];
      try {
        // Act
        const fresh = require('../lib/registry') as typeof import('../lib/registry');
        // Assert: a different module instance, the same registry.
        expect(fresh.Registry).to.not.equal(Registry);
        expect(fresh.defaultRegistry).to.equal(defaultRegistry);
      } finally {
        if (cached !== undefined) require.cache[path] = cached;
      }
    });

    it('new Registry() is independent of it', () => {
      const registry = new Registry();
      class RegistrySpecPrivate {}
      const reducer = () => '';
      registry.pickle(RegistrySpecPrivate, reducer, RegistrySpecPrivate);
      registry.addExtension('registry.spec', 'private', 0x7ffffff0);
      expect(registry.dispatchTable).to.not.equal(dispatchTable);
      expect(dispatchTable.has(RegistrySpecPrivate)).to.equal(false);
      expect(defaultRegistry.isDeclared(RegistrySpecPrivate)).to.equal(false);
      expect(defaultRegistry.extensionCode('registry.spec', 'private')).to.equal(undefined);
      expect(new Registry().dispatchTable.size).to.equal(0);
    });
  });

  describe('newobj / newobjEx', () => {
    let runs = 0;
    beforeEach(() => {
      runs = 0;
    });

    it('makes an instance without running the constructor or field initialisers', () => {
      class RegistrySpecPlain {
        field = 'initialised';
        constructor(public a: number) {
          runs++;
        }
      }
      const o = newobj(RegistrySpecPlain);
      expect(Object.getPrototypeOf(o)).to.equal(RegistrySpecPlain.prototype);
      expect(o).to.be.an.instanceOf(RegistrySpecPlain);
      expect(Object.keys(o)).to.deep.equal([]);
      expect(runs).to.equal(0);
    });

    it('keeps the prototype of a subclass of a user class', () => {
      class RegistrySpecBase {
        constructor() {
          runs++;
        }
      }
      class RegistrySpecDerived extends RegistrySpecBase {
        constructor() {
          super();
          runs++;
        }
      }
      const o = newobj(RegistrySpecDerived);
      expect(Object.getPrototypeOf(o)).to.equal(RegistrySpecDerived.prototype);
      expect(runs).to.equal(0);
    });

    it('creates the built-in internals of Array subclasses', () => {
      class RegistrySpecArray extends Array {
        constructor() {
          super();
          runs++;
        }
      }
      const a = newobj(RegistrySpecArray);
      expect(Array.isArray(a)).to.equal(true);
      expect(a).to.be.an.instanceOf(RegistrySpecArray);
      a.push(1, 2);
      a[5] = 6;
      expect(a.length).to.equal(6);
      expect(runs).to.equal(0);
    });

    it('creates the built-in internals of Map and Set subclasses', () => {
      class RegistrySpecMap extends Map<unknown, unknown> {
        constructor() {
          super();
          runs++;
        }
      }
      class RegistrySpecSet extends Set<unknown> {
        constructor() {
          super();
          runs++;
        }
      }
      const m = newobj(RegistrySpecMap);
      m.set('k', 'v');
      expect(m.get('k')).to.equal('v');
      expect(m).to.be.an.instanceOf(RegistrySpecMap);
      const s = newobj(RegistrySpecSet);
      s.add(1).add(1);
      expect(s.size).to.equal(1);
      expect(s).to.be.an.instanceOf(RegistrySpecSet);
      expect(runs).to.equal(0);
    });

    it('creates a Date subclass from its time value', () => {
      class RegistrySpecDate extends Date {
        constructor() {
          super();
          runs++;
        }
      }
      const d = newobj(RegistrySpecDate, 86_400_000);
      expect(d.getTime()).to.equal(86_400_000);
      expect(d).to.be.an.instanceOf(RegistrySpecDate);
      expect(runs).to.equal(0);
    });

    it('creates an Error subclass with its message and brand', () => {
      class RegistrySpecError extends TypeError {
        constructor() {
          super('from the constructor');
          runs++;
        }
      }
      const e = newobj(RegistrySpecError, 'from newobj');
      expect(e).to.be.an.instanceOf(RegistrySpecError);
      expect(e).to.be.an.instanceOf(TypeError);
      expect(e.message).to.equal('from newobj');
      expect(Object.prototype.toString.call(e)).to.equal('[object Error]');
      expect(runs).to.equal(0);
    });

    it('creates a RegExp subclass from source and flags', () => {
      class RegistrySpecRegExp extends RegExp {
        constructor() {
          super('never');
          runs++;
        }
      }
      const r = newobj(RegistrySpecRegExp, 'a+', 'gi');
      expect(r.source).to.equal('a+');
      expect(r.flags).to.equal('gi');
      expect(r.test('xAA')).to.equal(true);
      expect(r).to.be.an.instanceOf(RegistrySpecRegExp);
      expect(runs).to.equal(0);
    });

    it('creates typed-array subclasses', () => {
      class RegistrySpecBytes extends Uint8Array {
        constructor() {
          super(1);
          runs++;
        }
      }
      class RegistrySpecFloats extends Float64Array {
        constructor() {
          super(1);
          runs++;
        }
      }
      const b = newobj(RegistrySpecBytes, 4);
      expect(b.length).to.equal(4);
      expect(b).to.be.an.instanceOf(RegistrySpecBytes);
      const f = newobj(RegistrySpecFloats, [1.5, 2.5]);
      expect(Array.from(f)).to.deep.equal([1.5, 2.5]);
      expect(f).to.be.an.instanceOf(RegistrySpecFloats);
      expect(runs).to.equal(0);
    });

    it('uses a static __new__ when the class defines one', () => {
      class RegistrySpecNew {
        args: unknown[] = [];
        static __new__(cls: typeof RegistrySpecNew, ...args: unknown[]): RegistrySpecNew {
          const o = Object.create(cls.prototype) as RegistrySpecNew;
          o.args = args;
          return o;
        }
      }
      const o = newobj(RegistrySpecNew, 1, 2);
      expect(o.args).to.deep.equal([1, 2]);
      expect(o).to.be.an.instanceOf(RegistrySpecNew);
    });

    it('rejects what is not a class', () => {
      expect(() => newobj(42 as never)).to.throw(TypeError);
      expect(() => newobj(undefined as never)).to.throw(TypeError);
    });

    it('newobjEx passes non-empty kwargs as one trailing argument', () => {
      class RegistrySpecKw {
        args: unknown[] = [];
        static __new__(cls: typeof RegistrySpecKw, ...args: unknown[]): RegistrySpecKw {
          const o = Object.create(cls.prototype) as RegistrySpecKw;
          o.args = args;
          return o;
        }
      }
      expect(newobjEx(RegistrySpecKw, [1], { k: 2 }).args).to.deep.equal([1, { k: 2 }]);
      expect(newobjEx(RegistrySpecKw, [1], {}).args).to.deep.equal([1]);
      expect(newobjEx(RegistrySpecKw, [], null).args).to.deep.equal([]);
    });

    it('newobjEx wants a tuple of arguments and a mapping of keywords, as __newobj_ex__ does; so does the pickler', () => {
      class RegistrySpecKwCheck {}
      expect(() => newobjEx(RegistrySpecKwCheck, 5 as never, {})).to.throw(TypeError, 'Value after * must be an iterable');
      expect(() => newobjEx(RegistrySpecKwCheck, null as never, {})).to.throw(TypeError, 'Value after * must be an iterable');
      expect(() => newobjEx(RegistrySpecKwCheck, [], 5 as never)).to.throw(TypeError, 'argument after ** must be a mapping');
      expect(newobjEx(RegistrySpecKwCheck, [], new Map() as never)).to.be.instanceOf(RegistrySpecKwCheck);
      constructor(RegistrySpecKwCheck);
      class RegistrySpecKwReducing {
        constructor(
          readonly args: unknown,
          readonly kwargs: unknown,
        ) {}
        __reduce__(): unknown {
          return [newobjEx, [RegistrySpecKwReducing, this.args, this.kwargs]];
        }
      }
      constructor(RegistrySpecKwReducing);
      const reducing = (args: unknown, kwargs: unknown): object => new RegistrySpecKwReducing(args, kwargs);
      for (const protocol of [2, 4]) {
        expect(() => dumps(reducing(5, {}), { protocol })).to.throw(PicklingError, 'second item from NEWOBJ_EX argument tuple must be a tuple');
        expect(() => dumps(reducing([], 5), { protocol })).to.throw(PicklingError, 'third item from NEWOBJ_EX argument tuple must be a dict');
      }
      // The C pickler's checks of the tuple itself (pickle.dumps); it does not compare classes.
      class RegistrySpecKwRaw {
        constructor(readonly rv: unknown) {}
        __reduce__(): unknown {
          return this.rv;
        }
      }
      constructor(RegistrySpecKwRaw);
      const raw = (args: unknown[]): object => new RegistrySpecKwRaw([newobjEx, args]);
      for (const protocol of [2, 4]) {
        expect(() => dumps(raw([RegistrySpecKwRaw, [], {}, 1]), { protocol })).to.throw(
          PicklingError,
          'length of the NEWOBJ_EX argument tuple must be exactly 3, not 4',
        );
        expect(() => dumps(raw([1, [], {}]), { protocol })).to.throw(
          PicklingError,
          'first item from NEWOBJ_EX argument tuple must be a class, not int',
        );
        expect(dumps(raw([RegistrySpecKwCheck, [], {}]), { protocol })).to.be.instanceOf(Uint8Array);
      }
    });

    it('newobjEx does not run the constructor', () => {
      class RegistrySpecKwPlain {
        constructor() {
          runs++;
        }
      }
      const o = newobjEx(RegistrySpecKwPlain, [1], { k: 2 });
      expect(Object.getPrototypeOf(o)).to.equal(RegistrySpecKwPlain.prototype);
      expect(runs).to.equal(0);
    });
  });

  describe('global names (declare / resolve / nameOf)', () => {
    it("declare() defaults to module '__main__' and the function's name", () => {
      const registry = new Registry();
      function registrySpecNamed(): void {}
      expect(registry.declare(registrySpecNamed)).to.deep.equal({
        module: '__main__',
        name: 'registrySpecNamed',
      });
      expect(registry.resolve('__main__', 'registrySpecNamed')).to.equal(registrySpecNamed);
      expect(registry.nameOf(registrySpecNamed)).to.deep.equal({
        module: '__main__',
        name: 'registrySpecNamed',
      });
      expect(registry.isDeclared(registrySpecNamed)).to.equal(true);
    });

    it('declare() takes an explicit module and name', () => {
      const registry = new Registry();
      class RegistrySpecExplicit {}
      registry.declare(RegistrySpecExplicit, { module: 'geometry', name: 'shapes.Point' });
      expect(registry.resolve('geometry', 'shapes.Point')).to.equal(RegistrySpecExplicit);
      expect(registry.resolve('__main__', 'RegistrySpecExplicit')).to.equal(undefined);
      expect(registry.nameOf(RegistrySpecExplicit)).to.deep.equal({
        module: 'geometry',
        name: 'shapes.Point',
      });
    });

    it('declare() rejects what is not callable', () => {
      const registry = new Registry();
      expect(() => registry.declare({})).to.throw(TypeError, 'constructors must be callable');
    });

    it('unknown names and undeclared callables resolve to undefined', () => {
      const registry = new Registry();
      expect(registry.resolve('os', 'system')).to.equal(undefined);
      expect(registry.nameOf(() => 1)).to.equal(undefined);
      expect(registry.isDeclared(() => 1)).to.equal(false);
      expect(registry.isDeclared('x')).to.equal(false);
    });

    it('a strong name held by another callable is an error naming the name', () => {
      const registry = new Registry();
      const a = function registrySpecClash(): void {};
      const b = function registrySpecClash(): void {};
      registry.declare(a, { strong: true });
      expect(() => registry.declare(b, { strong: true })).to.throw(
        Error,
        '__main__.registrySpecClash',
      );
      expect(registry.resolve('__main__', 'registrySpecClash')).to.equal(a);
    });

    it('declaring the same callable twice, strongly, is harmless', () => {
      const registry = new Registry();
      class RegistrySpecTwiceDecorated {}
      registry.declare(RegistrySpecTwiceDecorated, { strong: true });
      registry.declare(RegistrySpecTwiceDecorated, { strong: true });
      registry.declare(RegistrySpecTwiceDecorated);
      expect(registry.resolve('__main__', 'RegistrySpecTwiceDecorated')).to.equal(
        RegistrySpecTwiceDecorated,
      );
      // A weak re-declaration keeps the name strong.
      const other = function RegistrySpecTwiceDecorated(): void {};
      expect(() => registry.declare(other, { strong: true })).to.throw(Error);
    });

    it('a weak declaration never takes a strong name away', () => {
      const registry = new Registry();
      const strong = function registrySpecHeld(): void {};
      const weak = function registrySpecHeld(): void {};
      registry.declare(strong, { strong: true });
      expect(registry.declare(weak)).to.deep.equal({
        module: '__main__',
        name: 'registrySpecHeld',
      });
      expect(registry.resolve('__main__', 'registrySpecHeld')).to.equal(strong);
      // The weak callable is still declared (loadable) even though its name resolves elsewhere.
      expect(registry.isDeclared(weak)).to.equal(true);
    });

    it('a weak name is taken over by the next declaration', () => {
      const registry = new Registry();
      const first = function registrySpecWeak(): void {};
      const second = function registrySpecWeak(): void {};
      registry.declare(first);
      registry.declare(second);
      expect(registry.resolve('__main__', 'registrySpecWeak')).to.equal(second);
      const third = function registrySpecWeak(): void {};
      registry.declare(third, { strong: true });
      expect(registry.resolve('__main__', 'registrySpecWeak')).to.equal(third);
    });

    it('a strong declaration renames a callable declared weakly before', () => {
      const registry = new Registry();
      class RegistrySpecRenamed {}
      registry.declare(RegistrySpecRenamed);
      registry.declare(RegistrySpecRenamed, { module: 'pkg', name: 'Renamed', strong: true });
      const renamed = { module: 'pkg', name: 'Renamed' };
      expect(registry.nameOf(RegistrySpecRenamed)).to.deep.equal(renamed);
      // A later weak declaration under another name does not rename it again.
      registry.declare(RegistrySpecRenamed, { module: 'other', name: 'Other' });
      expect(registry.nameOf(RegistrySpecRenamed)).to.deep.equal(renamed);
    });

    it('records the this-argument of a static factory', () => {
      const registry = new Registry();
      class RegistrySpecFactoryHost {
        static make(): RegistrySpecFactoryHost {
          return new this();
        }
      }
      registry.declare(RegistrySpecFactoryHost.make, {
        name: 'RegistrySpecFactoryHost.make',
        thisArg: RegistrySpecFactoryHost,
      });
      expect(registry.thisFor(RegistrySpecFactoryHost.make)).to.equal(RegistrySpecFactoryHost);
      expect(registry.resolve('__main__', 'RegistrySpecFactoryHost.make')).to.equal(
        RegistrySpecFactoryHost.make,
      );
      expect(registry.thisFor(() => 1)).to.equal(undefined);
    });
  });
});
