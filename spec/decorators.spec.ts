/**
 * `@reducible` and `@constructor` (SPEC section 2), run once per decorator flavour: every form
 * registers what it should in the default registry, conflicts are reported, and misuse is a
 * TypeError. Class names carry a `DecoSpec` prefix because the default registry is global to the
 * whole mocha run.
 */
import { expect } from 'chai';
import {
  constructor,
  copy,
  deepcopy,
  defaultRegistry,
  dis,
  dispatchTable,
  dumps,
  getClassMetadata,
  loads,
  reducible,
  type ReduceValue,
} from '../lib/index';
import { DECORATOR_MODE } from './helpers/mode';

describe(`decorators (${DECORATOR_MODE})`, () => {
  /** Asserts that `cls` is loadable under `module`.`name`, both ways. */
  function expectLoadable(cls: Function, module: string, name: string): void {
    expect(defaultRegistry.isDeclared(cls), 'isDeclared').to.equal(true);
    expect(defaultRegistry.resolve(module, name), 'resolve').to.equal(cls);
    expect(defaultRegistry.nameOf(cls), 'nameOf').to.deep.equal({ module, name });
  }

  describe('@reducible', () => {
    it('@reducible(reducer) registers the reducer and declares the class under __main__', () => {
      const reducer = (p: DecoSpecPoint): ReduceValue<typeof DecoSpecPoint> => [
        DecoSpecPoint,
        [p.x, p.y],
      ];
      @reducible(reducer)
      class DecoSpecPoint {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      expect(dispatchTable.get(DecoSpecPoint)).to.equal(reducer);
      expectLoadable(DecoSpecPoint, '__main__', 'DecoSpecPoint');
      const meta = getClassMetadata(DecoSpecPoint);
      expect(meta?.reducer).to.equal(reducer);
      expect(meta).to.include({ module: '__main__', name: 'DecoSpecPoint' });
    });

    it('@reducible(reducer, { module, name }) uses the given global name', () => {
      const reducer = (v: DecoSpecVec): ReduceValue<typeof DecoSpecVec> => [DecoSpecVec, [v.n]];
      @reducible(reducer, { module: 'decospec.geometry', name: 'Vector' })
      class DecoSpecVec {
        constructor(readonly n: number) {}
      }
      expect(dispatchTable.get(DecoSpecVec)).to.equal(reducer);
      expectLoadable(DecoSpecVec, 'decospec.geometry', 'Vector');
      expect(defaultRegistry.resolve('__main__', 'DecoSpecVec')).to.equal(undefined);
      expect(getClassMetadata(DecoSpecVec)).to.include({
        module: 'decospec.geometry',
        name: 'Vector',
        reducer,
      });
    });

    it('@reducible({ module, name }) declares the class without a reducer', () => {
      @reducible({ module: 'decospec.opts', name: 'Renamed' })
      class DecoSpecOptsOnly {
        a = 1;
      }
      expect(dispatchTable.has(DecoSpecOptsOnly)).to.equal(false);
      expectLoadable(DecoSpecOptsOnly, 'decospec.opts', 'Renamed');
      const meta = getClassMetadata(DecoSpecOptsOnly);
      expect(meta).to.include({ module: 'decospec.opts', name: 'Renamed' });
      expect(meta?.reducer).to.equal(undefined);
    });

    it('@reducible(undefined, { module, name }) uses the given global name', () => {
      @reducible(undefined, { module: 'decospec.undef', name: 'UndefNamed' })
      class DecoSpecUndefOpts {
        a = 1;
      }
      expect(dispatchTable.has(DecoSpecUndefOpts)).to.equal(false);
      expectLoadable(DecoSpecUndefOpts, 'decospec.undef', 'UndefNamed');
      expect(defaultRegistry.resolve('__main__', 'DecoSpecUndefOpts')).to.equal(undefined);
      const meta = getClassMetadata(DecoSpecUndefOpts);
      expect(meta).to.include({ module: 'decospec.undef', name: 'UndefNamed' });
      expect(meta?.reducer).to.equal(undefined);
      // The pickle names the class by the given global name, and loads back through it.
      for (const protocol of [0, 2, 4]) {
        const data = dumps(new DecoSpecUndefOpts(), { protocol });
        const listing = dis(data);
        expect(listing, `protocol ${protocol}`).to.include('decospec.undef');
        expect(listing, `protocol ${protocol}`).to.include('UndefNamed');
        expect(listing, `protocol ${protocol}`).to.not.include('__main__');
        const back = loads(data) as DecoSpecUndefOpts;
        expect(back).to.be.instanceOf(DecoSpecUndefOpts);
        expect(back.a).to.equal(1);
      }
    });

    it('@reducible(null, { module, name }) is the same as @reducible({ module, name })', () => {
      @reducible(null, { module: 'decospec.null', name: 'NullNamed' })
      class DecoSpecNullOpts {}
      expect(dispatchTable.has(DecoSpecNullOpts)).to.equal(false);
      expectLoadable(DecoSpecNullOpts, 'decospec.null', 'NullNamed');
      expect(getClassMetadata(DecoSpecNullOpts)?.reducer).to.equal(undefined);
    });

    it('@reducible(undefined) and @reducible(null) declare the class under __main__', () => {
      @reducible(undefined)
      class DecoSpecUndefOnly {}
      @reducible(null)
      class DecoSpecNullOnly {}
      @reducible(undefined, {})
      class DecoSpecUndefEmpty {}
      expectLoadable(DecoSpecUndefOnly, '__main__', 'DecoSpecUndefOnly');
      expectLoadable(DecoSpecNullOnly, '__main__', 'DecoSpecNullOnly');
      expectLoadable(DecoSpecUndefEmpty, '__main__', 'DecoSpecUndefEmpty');
    });

    it('@reducible(undefined, options) checks the options', () => {
      expect(() => reducible(undefined, { module: 42 } as any)).to.throw(TypeError, /module/);
      expect(() => reducible(null, { name: '' })).to.throw(TypeError, /name/);
      expect(() => reducible(undefined, 'mm' as any)).to.throw(TypeError, /options/);
    });

    it('@reducible({ module }) keeps the class name', () => {
      @reducible({ module: 'decospec.moduleonly' })
      class DecoSpecModuleOnly {}
      expectLoadable(DecoSpecModuleOnly, 'decospec.moduleonly', 'DecoSpecModuleOnly');
    });

    it('@reducible() declares the class under __main__ and its own name', () => {
      @reducible()
      class DecoSpecEmptyCall {}
      expect(dispatchTable.has(DecoSpecEmptyCall)).to.equal(false);
      expectLoadable(DecoSpecEmptyCall, '__main__', 'DecoSpecEmptyCall');
      expect(getClassMetadata(DecoSpecEmptyCall)).to.deep.equal({
        module: '__main__',
        name: 'DecoSpecEmptyCall',
        reducer: undefined,
        factories: [],
      });
    });

    it('bare @reducible declares the class under __main__ and its own name', () => {
      @reducible
      class DecoSpecBare {}
      expect(dispatchTable.has(DecoSpecBare)).to.equal(false);
      expectLoadable(DecoSpecBare, '__main__', 'DecoSpecBare');
      expect(getClassMetadata(DecoSpecBare)).to.include({
        module: '__main__',
        name: 'DecoSpecBare',
      });
    });

    it('accepts a class with a private or protected constructor, in every form', () => {
      @reducible
      class DecoSpecPrivateBare {
        private constructor() {}
      }
      @reducible({ module: 'decospec.private' })
      class DecoSpecProtectedOpts {
        protected constructor() {}
      }
      @constructor
      class DecoSpecPrivateCtor {
        private constructor() {}
      }
      for (const cls of [DecoSpecPrivateBare, DecoSpecProtectedOpts, DecoSpecPrivateCtor]) {
        expect(defaultRegistry.isDeclared(cls), cls.name).to.equal(true);
      }
    });

    it('accepts a class with a private constructor and a reducer', () => {
      @reducible((s: DecoSpecSingleton) => [DecoSpecSingleton.make, [s.tag]])
      class DecoSpecSingleton {
        private constructor(readonly tag: string) {}
        static make(tag: string): DecoSpecSingleton {
          return new DecoSpecSingleton(tag);
        }
      }
      expectLoadable(DecoSpecSingleton, '__main__', 'DecoSpecSingleton');
      const s = DecoSpecSingleton.make('t');
      const c = copy(s);
      expect(c).to.be.instanceOf(DecoSpecSingleton);
      expect(c).to.not.equal(s);
      expect(c.tag).to.equal('t');
    });

    it('throws an Error naming the name when two classes claim one (module, name)', () => {
      @reducible({ module: 'decospec.clash', name: 'DecoSpecClash' })
      class DecoSpecClashA {}
      expectLoadable(DecoSpecClashA, 'decospec.clash', 'DecoSpecClash');
      expect(() => {
        @reducible({ module: 'decospec.clash', name: 'DecoSpecClash' })
        class DecoSpecClashB {}
        return DecoSpecClashB;
      }).to.throw(Error, /DecoSpecClash/);
      // The first claimant keeps the name.
      expect(defaultRegistry.resolve('decospec.clash', 'DecoSpecClash')).to.equal(DecoSpecClashA);
    });

    it('reports a clash between two same-named classes under the default name', () => {
      @reducible
      class DecoSpecSameName {}
      const first = DecoSpecSameName;
      expect(() => {
        // A second class that happens to have the same name, as in two files.
        @reducible
        class DecoSpecSameName {}
        return DecoSpecSameName;
      }).to.throw(Error, /DecoSpecSameName/);
      expect(defaultRegistry.resolve('__main__', 'DecoSpecSameName')).to.equal(first);
    });

    it('a second decorator without a name keeps the name the first one gave', () => {
      @constructor
      @reducible({ module: 'decospec.keep', name: 'Point' })
      class DecoSpecKeepA {
        x = 1;
      }
      @reducible()
      @reducible({ module: 'decospec.keep', name: 'Point2' })
      class DecoSpecKeepB {}
      expectLoadable(DecoSpecKeepA, 'decospec.keep', 'Point');
      expectLoadable(DecoSpecKeepB, 'decospec.keep', 'Point2');
      expect(getClassMetadata(DecoSpecKeepA)).to.include({ module: 'decospec.keep', name: 'Point' });
      expect(dis(dumps(new DecoSpecKeepA(), { protocol: 2 }))).to.include("GLOBAL     'decospec.keep Point'");
    });

    it('a class without a name must be given one (an empty global name cannot be written)', () => {
      const anonymous = [class { a = 1; }][0]!;
      expect(anonymous.name).to.equal('');
      expect(() => reducible()(anonymous)).to.throw(TypeError, 'explicit { module, name }');
      expect(() => reducible(anonymous)).to.throw(TypeError, 'explicit { module, name }');
      expect(defaultRegistry.isDeclared(anonymous)).to.equal(false);
      reducible({ module: 'decospec.anon', name: 'Anon' })(anonymous);
      expectLoadable(anonymous, 'decospec.anon', 'Anon');
      const fn = [(): number => 2][0]!;
      expect(() => constructor(fn)).to.throw(TypeError, 'explicit { module, name }');
      expect(defaultRegistry.resolve('__main__', '')).to.equal(undefined);
    });

    it('decorating the same class twice is harmless', () => {
      const reducer = (t: DecoSpecTwice): ReduceValue<typeof DecoSpecTwice> => [
        DecoSpecTwice,
        [t.v],
      ];
      @reducible(reducer, { module: 'decospec.twice' })
      @reducible(reducer, { module: 'decospec.twice' })
      class DecoSpecTwice {
        constructor(readonly v: number) {}
      }
      // Applying it again by hand (the legacy calling convention) is harmless too.
      expect(() => reducible(reducer, { module: 'decospec.twice' })(DecoSpecTwice)).to.not.throw();
      expect(() => constructor(DecoSpecTwice)).to.not.throw();
      expectLoadable(DecoSpecTwice, 'decospec.twice', 'DecoSpecTwice');
      expect(dispatchTable.get(DecoSpecTwice)).to.equal(reducer);
      expect(getClassMetadata(DecoSpecTwice)?.factories).to.deep.equal([]);
    });

    it('rejects a reducer that is not a function', () => {
      expect(() => reducible(42 as any)).to.throw(
        TypeError,
        'reduction functions must be callable',
      );
    });

    it('rejects options that are not strings', () => {
      expect(() => reducible({ module: 42 } as any)).to.throw(TypeError, /module/);
      expect(() => reducible({ name: '' } as any)).to.throw(TypeError, /name/);
    });
  });

  describe('copy and deepcopy of decorated instances', () => {
    let calls = 0;
    let constructed = 0;

    @reducible((p: DecoSpecCopied) => {
      calls++;
      return [DecoSpecCopied, [p.label, p.items]];
    })
    class DecoSpecCopied {
      readonly createdBy = 'constructor';
      constructor(
        readonly label: string,
        readonly items: number[],
      ) {
        constructed++;
      }
    }

    beforeEach(() => {
      calls = 0;
      constructed = 0;
    });

    it('copy() calls the reducer and rebuilds through the class', () => {
      const orig = new DecoSpecCopied('a', [1, 2]);
      const c = copy(orig);
      expect(calls).to.equal(1);
      expect(constructed).to.equal(2);
      expect(c).to.be.instanceOf(DecoSpecCopied).and.not.equal(orig);
      expect(c.label).to.equal('a');
      // Shallow: the reducer's args are used as they are.
      expect(c.items).to.equal(orig.items);
      expect(c.createdBy).to.equal('constructor');
    });

    it('deepcopy() calls the reducer and deep-copies its args', () => {
      const orig = new DecoSpecCopied('b', [3]);
      const d = deepcopy(orig);
      expect(calls).to.equal(1);
      expect(d).to.be.instanceOf(DecoSpecCopied).and.not.equal(orig);
      expect(d.items).to.deep.equal([3]);
      expect(d.items).to.not.equal(orig.items);
    });

    it('deepcopy() reduces a shared instance once and keeps the sharing', () => {
      const shared = new DecoSpecCopied('s', []);
      const d = deepcopy({ left: shared, right: shared });
      expect(calls).to.equal(1);
      expect(d.left).to.equal(d.right).and.not.equal(shared);
    });
  });

  describe('@constructor', () => {
    it('on a class makes it loadable under its own name', () => {
      @constructor
      class DecoSpecCtorClass {}
      expect(dispatchTable.has(DecoSpecCtorClass)).to.equal(false);
      expectLoadable(DecoSpecCtorClass, '__main__', 'DecoSpecCtorClass');
      expect(getClassMetadata(DecoSpecCtorClass)).to.include({
        module: '__main__',
        name: 'DecoSpecCtorClass',
      });
    });

    it('on a static factory makes it loadable as Class.factory, called on the class', () => {
      class DecoSpecFactoryHost {
        constructor(readonly v: number) {}
        @constructor
        static of(v: number): DecoSpecFactoryHost {
          return new this(v);
        }
      }
      const fn = DecoSpecFactoryHost.of;
      expect(defaultRegistry.isDeclared(fn)).to.equal(true);
      expect(defaultRegistry.resolve('__main__', 'DecoSpecFactoryHost.of')).to.equal(fn);
      expect(defaultRegistry.nameOf(fn)).to.deep.equal({
        module: '__main__',
        name: 'DecoSpecFactoryHost.of',
      });
      expect(defaultRegistry.thisFor(fn)).to.equal(DecoSpecFactoryHost);
      expect(getClassMetadata(DecoSpecFactoryHost)?.factories).to.deep.equal(['of']);
      // The class itself was not declared: only the factory was.
      expect(defaultRegistry.isDeclared(DecoSpecFactoryHost)).to.equal(false);
    });

    it('a static factory of a class decorated @reducible({ module }) lives in that module', () => {
      @reducible({ module: 'decospec.m' })
      class DecoSpecFactoryInModule {
        constructor(readonly v: number) {}
        @constructor
        static make(v: number): DecoSpecFactoryInModule {
          return new DecoSpecFactoryInModule(v);
        }
      }
      const fn = DecoSpecFactoryInModule.make;
      expectLoadable(DecoSpecFactoryInModule, 'decospec.m', 'DecoSpecFactoryInModule');
      expect(defaultRegistry.resolve('decospec.m', 'DecoSpecFactoryInModule.make')).to.equal(fn);
      expect(defaultRegistry.nameOf(fn)).to.deep.equal({
        module: 'decospec.m',
        name: 'DecoSpecFactoryInModule.make',
      });
      expect(defaultRegistry.thisFor(fn)).to.equal(DecoSpecFactoryInModule);
      expect(getClassMetadata(DecoSpecFactoryInModule)).to.include({ module: 'decospec.m' });
      expect(getClassMetadata(DecoSpecFactoryInModule)?.factories).to.deep.equal(['make']);
    });

    it('two classes of one name in different modules each keep their factory under their own module', () => {
      const make = (module: string): Function => {
        @reducible({ module })
        class DecoSpecTwin {
          constructor(readonly v: number) {}
          @constructor
          static of(v: number): DecoSpecTwin {
            return new this(v);
          }
        }
        return DecoSpecTwin;
      };
      const a = make('decospec.twin1') as unknown as { of: Function };
      const b = make('decospec.twin2') as unknown as { of: Function };
      expect(defaultRegistry.resolve('decospec.twin1', 'DecoSpecTwin.of')).to.equal(a.of);
      expect(defaultRegistry.resolve('decospec.twin2', 'DecoSpecTwin.of')).to.equal(b.of);
      // No name under the default module is left behind (a legacy method decorator runs first).
      expect(defaultRegistry.resolve('__main__', 'DecoSpecTwin.of')).to.equal(undefined);
      expect(defaultRegistry.nameOf(b.of)).to.deep.equal({ module: 'decospec.twin2', name: 'DecoSpecTwin.of' });
    });

    it('a static factory of an explicitly named class does not clash with a same-named class elsewhere', () => {
      const make = (module: string | undefined): Function => {
        // The same source twice, as in two files; the second names its class explicitly.
        @reducible(module === undefined ? {} : { module, name: 'DecoSpecMoney' })
        class DecoSpecMoney {
          constructor(readonly c: number) {}
          @constructor
          static of(c: number): DecoSpecMoney {
            return new DecoSpecMoney(c);
          }
        }
        return DecoSpecMoney;
      };
      const a = make(undefined) as unknown as { of: Function };
      const b = make('decospec.bank') as unknown as { of: Function };
      expect(defaultRegistry.resolve('__main__', 'DecoSpecMoney.of')).to.equal(a.of);
      expect(defaultRegistry.resolve('decospec.bank', 'DecoSpecMoney.of')).to.equal(b.of);
      expect(defaultRegistry.nameOf(b.of)).to.deep.equal({ module: 'decospec.bank', name: 'DecoSpecMoney.of' });
      // Without a name of its own, the second class still clashes with the first.
      expect(() => make(undefined)).to.throw(Error, /DecoSpecMoney/);
    });

    it('a private static method cannot be a factory (TC39 context with private: true)', () => {
      const context = { kind: 'method', name: '#make', static: true, private: true, addInitializer() {} };
      expect(() => (constructor as any)(() => 1, context)).to.throw(TypeError, 'private static method');
    });

    it('@reducible on a method or a field is a TypeError, bare or with options', () => {
      expect(() => {
        class DecoSpecReducibleMethod {
          @(reducible as any)
          static make(): void {}
        }
        return DecoSpecReducibleMethod;
      }).to.throw(TypeError, '@reducible can only decorate a class');
      expect(() => {
        class DecoSpecReducibleMethod2 {
          @(reducible({ module: 'decospec.x' }) as any)
          make(): void {}
        }
        return DecoSpecReducibleMethod2;
      }).to.throw(TypeError, '@reducible can only decorate a class');
    });

    it('records several factories of one class', () => {
      class DecoSpecTwoFactories {
        @constructor
        static one(): DecoSpecTwoFactories {
          return new DecoSpecTwoFactories();
        }
        @constructor
        static two(): DecoSpecTwoFactories {
          return new DecoSpecTwoFactories();
        }
      }
      expect(getClassMetadata(DecoSpecTwoFactories)?.factories).to.have.members(['one', 'two']);
      expect(defaultRegistry.thisFor(DecoSpecTwoFactories.one)).to.equal(DecoSpecTwoFactories);
      expect(defaultRegistry.thisFor(DecoSpecTwoFactories.two)).to.equal(DecoSpecTwoFactories);
    });

    // These misuses are compile errors already (see the overloads); the casts check that plain
    // JavaScript callers get a TypeError at class definition too. In legacy mode an instance
    // member decorator receives the prototype, in TC39 mode a context whose `static` is false.
    it('throws a TypeError on an instance method', () => {
      expect(() => {
        class DecoSpecBadMethod {
          @(constructor as any)
          make(): void {}
        }
        return DecoSpecBadMethod;
      }).to.throw(TypeError, /@constructor/);
    });

    it('throws a TypeError on an instance field', () => {
      expect(() => {
        class DecoSpecBadField {
          @(constructor as any)
          field = 1;
        }
        return DecoSpecBadField;
      }).to.throw(TypeError, /@constructor/);
    });

    it('throws a TypeError on an accessor', () => {
      expect(() => {
        class DecoSpecBadAccessor {
          @(constructor as any)
          get value(): number {
            return 1;
          }
        }
        return DecoSpecBadAccessor;
      }).to.throw(TypeError, /@constructor/);
    });

    it('throws a TypeError on a static field', () => {
      expect(() => {
        class DecoSpecBadStaticField {
          @(constructor as any)
          static field = 1;
        }
        return DecoSpecBadStaticField;
      }).to.throw(TypeError, /@constructor/);
    });

    it('as a function rejects what is not callable', () => {
      expect(() => constructor(42)).to.throw(TypeError, 'constructors must be callable');
      expect(() => constructor({})).to.throw(TypeError, 'constructors must be callable');
    });

    it('as a function declares a plain function', () => {
      function decoSpecMakeThing(): object {
        return {};
      }
      constructor(decoSpecMakeThing);
      expect(defaultRegistry.isDeclared(decoSpecMakeThing)).to.equal(true);
      expect(defaultRegistry.nameOf(decoSpecMakeThing)).to.deep.equal({
        module: '__main__',
        name: 'decoSpecMakeThing',
      });
    });
  });

  describe('typed reducers', () => {
    it('accepts a reducer whose args fit the constructor', () => {
      @reducible((p: DecoSpecTypedP) => [DecoSpecTypedP, [p.x, p.y]])
      class DecoSpecTypedP {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      const c = copy(new DecoSpecTypedP(1, 2));
      expect([c.x, c.y]).to.deep.equal([1, 2]);
    });

    it('accepts state and a factory function as the callable', () => {
      const makeQ = (name: string): DecoSpecTypedQ => new DecoSpecTypedQ(name);
      @reducible((q: DecoSpecTypedQ) => [makeQ, [q.name], { extra: q.extra }])
      class DecoSpecTypedQ {
        extra = 0;
        constructor(readonly name: string) {}
      }
      const q = new DecoSpecTypedQ('q');
      q.extra = 5;
      const c = copy(q);
      expect(c.name).to.equal('q');
      expect(c.extra).to.equal(5);
    });

    it('accepts a readonly (as const) reduce value', () => {
      @reducible((p: DecoSpecTypedConst) => [DecoSpecTypedConst, [p.x]] as const)
      class DecoSpecTypedConst {
        constructor(readonly x: number) {}
      }
      expect(copy(new DecoSpecTypedConst(3)).x).to.equal(3);
    });

    it('accepts a state setter typed for the class', () => {
      const setter = (o: DecoSpecTypedSet, s: { n: number }): void => {
        o.n = s.n * 10;
      };
      @reducible((o: DecoSpecTypedSet) => [DecoSpecTypedSet, [], { n: o.n }, null, null, setter])
      class DecoSpecTypedSet {
        n = 0;
      }
      // copy() rejects a state setter (CPython's copy does), so check the reducer itself.
      const reducer = dispatchTable.get(DecoSpecTypedSet)!;
      const o = new DecoSpecTypedSet();
      o.n = 2;
      expect(reducer(o)).to.deep.equal([DecoSpecTypedSet, [], { n: 2 }, null, null, setter]);
    });

    it('accepts optional and rest constructor parameters', () => {
      @reducible((o: DecoSpecTypedRest) => [DecoSpecTypedRest, [o.a, ...o.rest]])
      class DecoSpecTypedRest {
        readonly rest: string[];
        constructor(
          readonly a?: number,
          ...rest: string[]
        ) {
          this.rest = rest;
        }
      }
      const c = copy(new DecoSpecTypedRest(1, 'x', 'y'));
      expect([c.a, ...c.rest]).to.deep.equal([1, 'x', 'y']);
    });

    it('accepts a string (by-reference) reduce value', () => {
      @reducible((_r: DecoSpecTypedRef) => 'DECO_SPEC_SINGLETON')
      class DecoSpecTypedRef {}
      const r = new DecoSpecTypedRef();
      expect(copy(r)).to.equal(r);
    });

    it('rejects, at compile time, args of the wrong type or count', () => {
      // Each @ts-expect-error below fails the run if its line compiles (ts-node type-checks).
      // @ts-expect-error: a string where the constructor takes numbers
      @reducible((p: DecoSpecTypedBad1) => [DecoSpecTypedBad1, ['a']])
      class DecoSpecTypedBad1 {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      // @ts-expect-error: one argument where the constructor takes two
      @reducible((p: DecoSpecTypedBad2) => [DecoSpecTypedBad2, [1]])
      class DecoSpecTypedBad2 {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      // @ts-expect-error: one argument too many
      @reducible((p: DecoSpecTypedBad4) => [DecoSpecTypedBad4, [p.x, p.x, p.x]])
      class DecoSpecTypedBad4 {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      // @ts-expect-error: the reducer's parameter type is not the class's instance type
      @reducible((s: string) => [DecoSpecTypedBad3, [s]])
      class DecoSpecTypedBad3 {
        constructor(readonly s: string) {}
      }
      // The decorators still ran: only the types were wrong.
      expect(dispatchTable.has(DecoSpecTypedBad1)).to.equal(true);
      expect(dispatchTable.has(DecoSpecTypedBad2)).to.equal(true);
      expect(dispatchTable.has(DecoSpecTypedBad3)).to.equal(true);
      expect(dispatchTable.has(DecoSpecTypedBad4)).to.equal(true);
    });
  });
});
