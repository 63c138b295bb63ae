// The stand-ins for Python things (lib/pyobjects.ts): PyGlobal, PyObject and PickleBuffer, how
// they are built, and how they survive dumps / loads with placeholders on (and CPython's bytes).
import { expect } from 'chai';

import { PicklingError, UnpicklingError } from '../lib/errors';
import { dumps, loads } from '../lib/index';
import { PickleBuffer, PyGlobal, PyObject } from '../lib/pyobjects';

import { fromHex, pyModuleDir, pyRun, toHex } from './helpers/python';

const PROTOCOLS = [0, 1, 2, 3, 4, 5];

describe('pyobjects', () => {
  describe('PyGlobal', () => {
    it('is a frozen module/name pair that prints as module.name', () => {
      const g = new PyGlobal('pkg.mod', 'Outer.Inner');
      expect(g.module).to.equal('pkg.mod');
      expect(g.name).to.equal('Outer.Inner');
      expect(Object.isFrozen(g)).to.equal(true);
      expect(String(g)).to.equal('pkg.mod.Outer.Inner');
      expect(() => {
        (g as { module: string }).module = 'x';
      }).to.throw(TypeError);
    });

    it('round-trips by reference at every protocol with placeholders, and is refused without them', () => {
      const g = new PyGlobal('somemodule', 'Thing');
      for (const p of PROTOCOLS) {
        const data = dumps(g, { protocol: p });
        const back = loads(data, { placeholders: true });
        expect(back, `protocol ${p}`).to.be.instanceOf(PyGlobal);
        expect(back).to.deep.equal(g);
        expect(toHex(dumps(back, { protocol: p }))).to.equal(toHex(data));
        expect(() => loads(data), `protocol ${p}`).to.throw(UnpicklingError, "global 'somemodule.Thing' is forbidden");
      }
    });

    it('is one placeholder per global within a pickle (the memo keeps sharing)', () => {
      const g = new PyGlobal('m', 'f');
      const back = loads(dumps([g, g, new PyGlobal('m', 'f')], { protocol: 4 }), { placeholders: true }) as PyGlobal[];
      expect(back[0]).to.equal(back[1]);
      expect(back[2]).to.deep.equal(back[0]);
    });
  });

  describe('PyObject', () => {
    it('starts with no state and no items, in the reduce form, and keeps what BUILD / APPENDS / SETITEMS give', () => {
      const cls = new PyGlobal('m', 'C');
      const o = new PyObject(cls, [1, 2]);
      expect(o.cls).to.equal(cls);
      expect(o.args).to.deep.equal([1, 2]);
      expect(o.form).to.equal('reduce');
      expect(o.kwargs).to.equal(null);
      expect(o.state).to.equal(undefined);
      const state = { a: 1 };
      o.__setstate__(state);
      o.append('x');
      o.append('y');
      o.__setitem__('k', 'v');
      expect(o.state).to.equal(state);
      expect(o.listItems).to.deep.equal(['x', 'y']);
      expect(o.dictItems).to.deep.equal([['k', 'v']]);
    });

    it('round-trips the reduce, newobj (2+) and newobj_ex (2+) forms unchanged, byte for byte', () => {
      const cls = new PyGlobal('models', 'C');
      const make = (form: 'reduce' | 'newobj' | 'newobj_ex'): PyObject => {
        const o = new PyObject(cls, [1, 'two'], form, form === 'newobj_ex' ? { k: 2 } : null);
        o.__setstate__({ a: [1] });
        o.append(5);
        o.__setitem__('x', 'y');
        return o;
      };
      for (const form of ['reduce', 'newobj', 'newobj_ex'] as const) {
        for (const p of PROTOCOLS) {
          if (form !== 'reduce' && p < 2) continue;
          const data = dumps(make(form), { protocol: p });
          const back = loads(data, { placeholders: true }) as PyObject;
          const label = `${form} at protocol ${p}`;
          expect(back, label).to.be.instanceOf(PyObject);
          expect(back.form, label).to.equal(form);
          expect(back.cls, label).to.deep.equal(cls);
          expect(back.args, label).to.deep.equal([1, 'two']);
          expect(back.kwargs, label).to.deep.equal(form === 'newobj_ex' ? { k: 2 } : null);
          expect(back.state, label).to.deep.equal({ a: [1] });
          expect(back.listItems, label).to.deep.equal([5]);
          expect(back.dictItems, label).to.deep.equal([['x', 'y']]);
          expect(toHex(dumps(back, { protocol: p })), label).to.equal(toHex(data));
        }
      }
    });

    it('a newobj_ex placeholder keeps its arguments and keywords at protocols 0-1 too (copyreg.__newobj_ex__ by REDUCE)', () => {
      const o = new PyObject(new PyGlobal('m', 'C'), [1], 'newobj_ex', { k: 2 });
      for (const protocol of [0, 1, 2, 3, 4, 5]) {
        const data = dumps(o, { protocol });
        const back = loads(data, { placeholders: true }) as PyObject;
        expect([back.form, back.args, back.kwargs], `protocol ${protocol}`).to.deep.equal(['newobj_ex', [1], { k: 2 }]);
        expect(dumps(back, { protocol })).to.deep.equal(data);
      }
    });

    it("loads CPython's pickles of an instance as placeholders and writes the same bytes back", () => {
      const models = pyModuleDir({
        'pyobjects_models.py': [
          'class C:',
          '    def __init__(self):',
          '        self.a = 1',
          '        self.b = [1, "x"]',
          'class L(list):',
          '    pass',
          'class D(dict):',
          '    pass',
        ].join('\n'),
      });
      try {
        const pickles = pyRun<string[][]>(
          [
            'import pyobjects_models as m',
            'def main(inp):',
            '    l = m.L([1, 2]); d = m.D(k=1)',
            '    return [[tohex(pickle.dumps(v, protocol=p)) for p in range(6)] for v in (m.C(), l, d)]',
          ].join('\n'),
          null,
          { path: [models.dir] },
        );
        for (const row of pickles) {
          row.forEach((hex, p) => {
            const back = loads(fromHex(hex), { placeholders: true });
            expect(back, `protocol ${p}`).to.be.instanceOf(PyObject);
            expect(toHex(dumps(back, { protocol: p })), `protocol ${p}`).to.equal(hex);
          });
        }
        const c = loads(fromHex(pickles[0]![2]!), { placeholders: true }) as PyObject;
        expect(c.form).to.equal('newobj');
        expect(c.cls).to.deep.equal(new PyGlobal('pyobjects_models', 'C'));
        expect(c.state).to.deep.equal({ a: 1, b: [1, 'x'] });
        const l = loads(fromHex(pickles[1]![4]!), { placeholders: true }) as PyObject;
        expect(l.listItems).to.deep.equal([1, 2]);
        const d = loads(fromHex(pickles[2]![4]!), { placeholders: true }) as PyObject;
        expect(d.dictItems).to.deep.equal([['k', 1]]);
      } finally {
        models.remove();
      }
    });
  });

  describe('PickleBuffer', () => {
    it('views the bytes of any typed array, DataView or ArrayBuffer without copying', () => {
      const words = new Uint16Array([0x0102, 0x0304, 0x0506]);
      const pb = new PickleBuffer(words.subarray(1));
      expect(pb.view).to.be.instanceOf(Uint8Array);
      expect(pb.view.buffer).to.equal(words.buffer);
      expect(pb.view.byteOffset).to.equal(2);
      expect(pb.view.length).to.equal(4);
      expect(pb.raw()).to.equal(pb.view);
      // A view is Python's bytes, so read-only unless told otherwise; an ArrayBuffer is bytearray.
      expect(pb.readonly).to.equal(true);
      expect(new PickleBuffer(new ArrayBuffer(2)).readonly).to.equal(false);
      const ab = new ArrayBuffer(3);
      const onBuffer = new PickleBuffer(ab, true);
      expect(onBuffer.view.buffer).to.equal(ab);
      expect(onBuffer.readonly).to.equal(true);
      onBuffer.view[0] = 9;
      expect(new Uint8Array(ab)[0]).to.equal(9);
      const dv = new PickleBuffer(new DataView(ab, 1, 2));
      expect(dv.view.byteOffset).to.equal(1);
      expect(dv.view.length).to.equal(2);
    });

    it('wraps bytes-like objects only, as CPython does', () => {
      const names = ['int', 'str', 'NoneType', 'list', 'dict'];
      [5, 'ab', null, [1, 2], {}].forEach((bad, i) => {
        expect(() => new PickleBuffer(bad as never), String(bad)).to.throw(TypeError, `a bytes-like object is required, not '${names[i]}'`);
      });
    });

    it("by default writes a Uint8Array as CPython writes PickleBuffer(b'...') and an ArrayBuffer as PickleBuffer(bytearray(...))", () => {
      const bytesHex = toHex(dumps(new PickleBuffer(new Uint8Array([1, 2, 3])), { protocol: 5 }));
      const arrayHex = toHex(dumps(new PickleBuffer(new Uint8Array([1, 2, 3]).buffer), { protocol: 5 }));
      const python = pyRun<string[]>(
        "def main(inp): return [tohex(pickle.dumps(pickle.PickleBuffer(b'\\x01\\x02\\x03'), 5)), tohex(pickle.dumps(pickle.PickleBuffer(bytearray(b'\\x01\\x02\\x03')), 5))]",
        null,
      );
      expect([bytesHex, arrayHex]).to.deep.equal(python);
      expect(loads(fromHex(bytesHex))).to.deep.equal(new Uint8Array([1, 2, 3]));
    });

    it('is written in-band at protocol 5 as bytes (read-only) or bytearray (writable), as CPython reads it', () => {
      const ro = dumps(new PickleBuffer(new Uint8Array([1, 2, 3]), true), { protocol: 5 });
      const rw = dumps(new PickleBuffer(new Uint8Array([1, 2, 3]), false), { protocol: 5 });
      expect(loads(ro)).to.deep.equal(new Uint8Array([1, 2, 3]));
      const read = pyRun<string[]>('def main(inp): return [repr(pickle.loads(unhex(h))) for h in inp]', [toHex(ro), toHex(rw)]);
      expect(read).to.deep.equal(["b'\\x01\\x02\\x03'", "bytearray(b'\\x01\\x02\\x03')"]);
    });

    it('goes out of band through bufferCallback and comes back from buffers, the same bytes', () => {
      const payload = new Uint8Array([7, 8, 9, 10]);
      const pb = new PickleBuffer(payload, true);
      const taken: PickleBuffer[] = [];
      const data = dumps({ blob: pb }, {
        protocol: 5,
        bufferCallback: (b: PickleBuffer) => {
          taken.push(b);
          return false;
        },
      });
      expect(taken).to.have.length(1);
      expect(taken[0]).to.equal(pb);
      expect(data.length).to.be.lessThan(40);
      const back = loads(data, { buffers: taken }) as { blob: Uint8Array };
      expect(Array.from(back.blob)).to.deep.equal([7, 8, 9, 10]);
      expect(() => loads(data)).to.throw(UnpicklingError);
    });

    it("is refused below protocol 5 with CPython's message", () => {
      for (const p of [0, 1, 2, 3, 4]) {
        expect(() => dumps(new PickleBuffer(new Uint8Array(1)), { protocol: p })).to.throw(
          PicklingError,
          'PickleBuffer can only pickled with protocol >= 5',
        );
      }
    });
  });
});
