// Golden vectors: the 549 byte strings CPython 3.11's C pickler wrote
// (spec/fixtures/cpython-pickle-vectors.json), checked in both directions from one table
// (spec/helpers/vectors.ts): dumps(value, {protocol}) gives exactly CPython's bytes, and loads of
// CPython's bytes gives the mapped JS value, with the same sharing and cycles.
import { expect } from 'chai';

import {
  addExtension,
  dumps,
  loads,
  Pickler,
  PickleBuffer,
  removeExtension,
  UnpicklingError,
  type PicklerOptions,
  type UnpicklerOptions,
} from '../lib/index';
import {
  DUMPS_EXCLUSIONS,
  dumpsExcluded,
  expectSameGraph,
  GOLDEN,
  PersRef,
  persistentId,
  toHex,
  unhex,
  VECTORS,
  type Vector,
} from './helpers/vectors';

/** The extension code a vector's `setup` registers (`copyreg.add_extension(...)`), if any. */
function extensionOf(v: Vector): [string, string, number] | undefined {
  const m = /add_extension\('([\w.]+)', '([\w.]+)', (\d+)\)/.exec(v.setup ?? '');
  return m === null ? undefined : [m[1]!, m[2]!, Number(m[3])];
}

/** Runs `fn` with the vector's extension code registered, as CPython's generator did. */
function withSetup<T>(v: Vector, fn: () => T): T {
  const ext = extensionOf(v);
  if (ext === undefined) return fn();
  addExtension(...ext);
  try {
    return fn();
  } finally {
    removeExtension(...ext);
  }
}

/** CPython's `pickle.dumps(x, protocol, **dumps_kwargs)` (or `PersPickler(...).dump(x)`). */
function dumpVector(v: Vector, value: unknown): { bytes: Uint8Array; buffers: PickleBuffer[] } {
  const options: PicklerOptions & { persistentId?: (o: unknown) => unknown } = { protocol: v.protocol };
  const buffers: PickleBuffer[] = [];
  if (v.dumps_kwargs?.fix_imports === false) options.fixImports = false;
  if (v.dumps_kwargs?.buffer_callback !== undefined) {
    // buffers.append returns None: every buffer goes out of band.
    options.bufferCallback = (b) => {
      buffers.push(b);
      return undefined;
    };
  }
  if (v.pickler === 'PersPickler') options.persistentId = persistentId;
  const bytes = withSetup(v, () => (v.pickler === undefined ? dumps(value, options) : new Pickler(options).dump(value)));
  return { bytes, buffers };
}

/** `pickle.loads(data, buffers=...)`, with the hooks the vector needs. */
function loadOptions(v: Vector, placeholders: boolean): UnpicklerOptions & { buffers?: Uint8Array[] } {
  const options: UnpicklerOptions & { buffers?: Uint8Array[] } = { placeholders };
  if (v.buffers_hex !== undefined) options.buffers = v.buffers_hex.map(unhex);
  if (v.pickler === 'PersPickler') options.persistentLoad = (pid) => new PersRef(pid as string);
  return options;
}

const withBytes = VECTORS.filter((v): v is Vector & { hex: string } => v.hex !== null);

describe('golden vectors (CPython 3.11 pickle.dumps)', () => {
  describe('the table', () => {
    it('maps every vector name to a JS value', () => {
      const missing = [...new Set(VECTORS.map((v) => v.name))].filter((n) => GOLDEN[n] === undefined);
      expect(missing).to.deep.equal([]);
    });

    it('lists only real vectors as excluded from the dumps direction, each with a reason', () => {
      for (const [name, x] of Object.entries(DUMPS_EXCLUSIONS)) {
        const protocols = VECTORS.filter((v) => v.name === name).map((v) => v.protocol);
        expect(protocols, name).to.not.be.empty;
        for (const p of x.protocols ?? []) expect(protocols, `${name} protocol ${p}`).to.include(p);
        expect(x.reason.length, name).to.be.greaterThan(20);
      }
    });

    it('excludes only the vectors whose bytes need Python identity or Python-only types', () => {
      const excluded = withBytes.filter((v) => dumpsExcluded(v) !== undefined).map((v) => `${v.name}/${v.protocol}`);
      // 6 protocols × 4 vectors; slotted_instance 0/1 have no bytes.
      expect(excluded).to.have.length(24);
      expect(withBytes.length - excluded.length).to.equal(523);
    });
  });

  describe('dumps(value, { protocol }) is byte-identical to CPython', () => {
    for (const v of withBytes) {
      if (dumpsExcluded(v) !== undefined) continue;
      it(`${v.name} at protocol ${v.protocol}`, () => {
        const { bytes, buffers } = dumpVector(v, GOLDEN[v.name]!.value());
        expect(toHex(bytes)).to.equal(v.hex);
        expect(buffers.map((b) => toHex(b.raw()))).to.deep.equal(v.buffers_hex ?? []);
      });
    }
  });

  describe('CPython refuses to pickle', () => {
    for (const v of VECTORS.filter((x) => x.hex === null)) {
      it(`${v.name} at protocol ${v.protocol} (${v.dumps_exception?.split(':')[0]}); copyreg writes a pickle that loads back`, () => {
        // Note: JS classes carry no __slots__, so the protocol 0/1 default reduction works here.
        const value = GOLDEN[v.name]!.value();
        expectSameGraph(loads(dumps(value, { protocol: v.protocol })), value);
      });
    }
  });

  describe('loads(CPython bytes) gives the mapped JS value', () => {
    for (const v of withBytes) {
      const entry = GOLDEN[v.name]!;
      const expected = (): unknown => (entry.loaded ? entry.loaded(v.protocol) : entry.value());
      const placeholders = entry.forbidden !== undefined;
      it(`${v.name} at protocol ${v.protocol}${placeholders ? ' (placeholders: true)' : ''}`, () => {
        const options = loadOptions(v, placeholders);
        const got = withSetup(v, () => loads(unhex(v.hex), options));
        expect(got).to.deep.equal(expected());
        expectSameGraph(got, expected());
        entry.identity?.(got);
        if (v.buffers_hex !== undefined) {
          // Out-of-band buffers are handed back as given, not copied.
          const items = Array.isArray(got) ? got : [got];
          items.forEach((item, i) => expect(item).to.equal(options.buffers![i]));
        }
      });
      if (placeholders) {
        it(`${v.name} at protocol ${v.protocol} without placeholders: UnpicklingError naming ${entry.forbidden}`, () => {
          const options = loadOptions(v, false);
          expect(() => loads(unhex(v.hex), options))
            .to.throw(UnpicklingError)
            .with.property('message')
            .that.includes(`'${entry.forbidden}'`);
        });
      }
    }
  });

  describe('excluded vectors still load', () => {
    it('list_equal_distinct_str loads as two equal strings', () => {
      for (const v of withBytes.filter((x) => x.name === 'list_equal_distinct_str')) {
        expect(loads(unhex(v.hex))).to.deep.equal(['12', '12']);
      }
    });

    it('dumps(["12", "12"]) writes "12" once and refers to it by a memo GET', () => {
      for (const protocol of [0, 1, 2, 3, 4, 5]) {
        const bytes = dumps(['12', '12'], { protocol });
        expect(toHex(bytes).split('3132').length - 1, `protocol ${protocol}`).to.equal(1);
        expect(loads(bytes)).to.deep.equal(['12', '12']);
      }
    });
  });
});
