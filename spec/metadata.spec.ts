/**
 * The reduction metadata `@reducible` and `@constructor` record on a class (SPEC section 2): read
 * through `getClassMetadata`, through reflect-metadata directly, and, with TC39 decorators, through
 * `Symbol.metadata`. Class names carry a `MetaSpec` prefix because the default registry is global
 * to the whole mocha run.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import {
  CLASS_METADATA_KEY,
  constructor,
  getClassMetadata,
  reducible,
  type ClassMetadata,
  type ReduceValue,
} from '../lib/index';
import { DECORATOR_MODE, STANDARD_DECORATORS } from './helpers/mode';

/** The TC39 metadata object of a class (own or inherited), if the compiler made one. */
function symbolMetadata(cls: Function): Record<PropertyKey, unknown> | null | undefined {
  return (cls as { [Symbol.metadata]?: Record<PropertyKey, unknown> | null })[Symbol.metadata];
}

describe(`class metadata (${DECORATOR_MODE})`, () => {
  const reducer = (p: MetaSpecPoint): ReduceValue<typeof MetaSpecPoint> => [
    MetaSpecPoint,
    [p.x, p.y],
  ];

  @reducible(reducer, { module: 'metaspec.geometry', name: 'Point' })
  class MetaSpecPoint {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }

  class MetaSpecPoint3 extends MetaSpecPoint {
    z = 0;
  }

  it('uses a Symbol.for key, so copies of the package share it', () => {
    expect(CLASS_METADATA_KEY).to.equal(Symbol.for('copyreg:class'));
  });

  it('is undefined for a class that was never decorated', () => {
    class MetaSpecPlain {}
    expect(getClassMetadata(MetaSpecPlain)).to.equal(undefined);
    expect(Reflect.getOwnMetadata(CLASS_METADATA_KEY, MetaSpecPlain)).to.equal(undefined);
  });

  it('records module, name, reducer and factories', () => {
    expect(getClassMetadata(MetaSpecPoint)).to.deep.equal({
      module: 'metaspec.geometry',
      name: 'Point',
      reducer,
      factories: [],
    } satisfies ClassMetadata);
  });

  it('is readable with Reflect.getOwnMetadata under CLASS_METADATA_KEY', () => {
    const viaReflect = Reflect.getOwnMetadata(CLASS_METADATA_KEY, MetaSpecPoint) as ClassMetadata;
    expect(viaReflect).to.equal(getClassMetadata(MetaSpecPoint));
    expect(viaReflect.reducer).to.equal(reducer);
    expect(Reflect.hasOwnMetadata(CLASS_METADATA_KEY, MetaSpecPoint)).to.equal(true);
  });

  it('is not inherited by an undecorated subclass', () => {
    expect(getClassMetadata(MetaSpecPoint3)).to.equal(undefined);
    expect(Reflect.getOwnMetadata(CLASS_METADATA_KEY, MetaSpecPoint3)).to.equal(undefined);
    // reflect-metadata's own inherited lookup still walks the prototype chain; the library never
    // uses it, because a subclass is a different global, as in Python.
    expect(Reflect.getMetadata(CLASS_METADATA_KEY, MetaSpecPoint3)).to.equal(
      getClassMetadata(MetaSpecPoint),
    );
  });

  it('gives a decorated subclass its own record and leaves the base alone', () => {
    @reducible({ module: 'metaspec.geometry' })
    class MetaSpecPoint4 extends MetaSpecPoint {}
    expect(getClassMetadata(MetaSpecPoint4)).to.deep.equal({
      module: 'metaspec.geometry',
      name: 'MetaSpecPoint4',
      reducer: undefined,
      factories: [],
    });
    expect(getClassMetadata(MetaSpecPoint)).to.include({ name: 'Point', reducer });
  });

  describe('written by every decorator form', () => {
    it('@reducible(reducer)', () => {
      const r = (o: MetaSpecA): ReduceValue<typeof MetaSpecA> => [MetaSpecA, []];
      @reducible(r)
      class MetaSpecA {}
      expect(getClassMetadata(MetaSpecA)).to.deep.equal({
        module: '__main__',
        name: 'MetaSpecA',
        reducer: r,
        factories: [],
      });
    });

    it('@reducible({ module, name })', () => {
      @reducible({ module: 'metaspec.b', name: 'B' })
      class MetaSpecB {}
      expect(getClassMetadata(MetaSpecB)).to.deep.equal({
        module: 'metaspec.b',
        name: 'B',
        reducer: undefined,
        factories: [],
      });
    });

    it('@reducible()', () => {
      @reducible()
      class MetaSpecC {}
      expect(getClassMetadata(MetaSpecC)).to.include({ module: '__main__', name: 'MetaSpecC' });
    });

    it('bare @reducible', () => {
      @reducible
      class MetaSpecD {}
      expect(getClassMetadata(MetaSpecD)).to.include({ module: '__main__', name: 'MetaSpecD' });
    });

    it('@constructor on a class', () => {
      @constructor
      class MetaSpecE {}
      expect(getClassMetadata(MetaSpecE)).to.deep.equal({
        module: '__main__',
        name: 'MetaSpecE',
        reducer: undefined,
        factories: [],
      });
    });

    it('@constructor on a static factory, merged with @reducible on its class', () => {
      @reducible({ module: 'metaspec.f' })
      class MetaSpecF {
        @constructor
        static create(): MetaSpecF {
          return new MetaSpecF();
        }
        @constructor
        static [Symbol.for('metaspec.make')](): MetaSpecF {
          return new MetaSpecF();
        }
      }
      const meta = getClassMetadata(MetaSpecF);
      expect(meta).to.include({ module: 'metaspec.f', name: 'MetaSpecF' });
      expect(meta?.factories).to.have.members(['create', Symbol.for('metaspec.make')]);
    });

    it('does not repeat a factory when the class is decorated twice', () => {
      @reducible()
      @reducible()
      class MetaSpecG {
        @constructor
        static of(): MetaSpecG {
          return new MetaSpecG();
        }
      }
      expect(getClassMetadata(MetaSpecG)?.factories).to.deep.equal(['of']);
    });
  });

  describe('Symbol.metadata', () => {
    it(`is ${STANDARD_DECORATORS ? 'filled through context.metadata' : 'not used'}`, () => {
      if (STANDARD_DECORATORS) {
        const meta = symbolMetadata(MetaSpecPoint)?.[CLASS_METADATA_KEY] as ClassMetadata;
        expect(meta).to.include({ module: 'metaspec.geometry', name: 'Point', reducer });
      } else {
        // Legacy decorators have no context, so the compiler never creates the object.
        expect(Object.prototype.hasOwnProperty.call(MetaSpecPoint, Symbol.metadata)).to.equal(
          false,
        );
      }
    });

    it('is filled for every class-decorator form in TC39 mode', function () {
      // Skipped under experimentalDecorators: legacy decorators receive no context.metadata.
      if (!STANDARD_DECORATORS) this.skip();
      @reducible
      class MetaSpecH {}
      @reducible()
      class MetaSpecI {}
      @constructor
      class MetaSpecJ {}
      for (const cls of [MetaSpecH, MetaSpecI, MetaSpecJ]) {
        const meta = symbolMetadata(cls)?.[CLASS_METADATA_KEY] as ClassMetadata | undefined;
        expect(meta, cls.name).to.include({ module: '__main__', name: cls.name });
      }
    });

    it('lists static @constructor factories as reflect-metadata does, in TC39 mode', function () {
      // Skipped under experimentalDecorators: legacy decorators receive no context.metadata.
      if (!STANDARD_DECORATORS) this.skip();
      @reducible({ module: 'metaspec.md', name: 'A' })
      class MetaSpecL {
        @constructor
        static of(): MetaSpecL {
          return new MetaSpecL();
        }
      }
      class MetaSpecM {
        @constructor
        static make(): MetaSpecM {
          return new MetaSpecM();
        }
      }
      for (const cls of [MetaSpecL, MetaSpecM]) {
        const viaSymbol = symbolMetadata(cls)?.[CLASS_METADATA_KEY] as ClassMetadata | undefined;
        expect(viaSymbol, cls.name).to.deep.equal(getClassMetadata(cls));
      }
      expect((symbolMetadata(MetaSpecL)?.[CLASS_METADATA_KEY] as ClassMetadata).factories).to.deep.equal(['of']);
      expect((symbolMetadata(MetaSpecM)?.[CLASS_METADATA_KEY] as ClassMetadata).factories).to.deep.equal(['make']);
    });

    it('gives a decorated subclass its own entry in TC39 mode', function () {
      // Skipped under experimentalDecorators: legacy decorators receive no context.metadata.
      if (!STANDARD_DECORATORS) this.skip();
      @reducible({ name: 'MetaSpecChild' })
      class MetaSpecK extends MetaSpecPoint {}
      const own = symbolMetadata(MetaSpecK)?.[CLASS_METADATA_KEY] as ClassMetadata | undefined;
      expect(own).to.include({ module: '__main__', name: 'MetaSpecChild' });
      const base = symbolMetadata(MetaSpecPoint)?.[CLASS_METADATA_KEY] as ClassMetadata;
      expect(base).to.include({ name: 'Point' });
    });
  });
});
