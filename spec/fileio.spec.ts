// The browser-safe dump / load / loadAll of the root module (lib/fileio.ts) and readAll: paths,
// bytes, plain writers, web streams and async iterables of chunks. spec/node.spec.ts covers Node
// streams, descriptors and stream chunking at length; this file covers the rest.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReadableStream, WritableStream } from 'node:stream/web';

import { expect } from 'chai';

import { PicklingError, UnpicklingError } from '../lib/errors';
import { dump, load, loadAll, readAll, type PickleSource } from '../lib/fileio';
import { dumps, loads, PickleBuffer, PyGlobal } from '../lib/index';
import { collect, rejection } from './helpers/async';
import { bytesOf as concat } from './helpers/vectors';

async function* chunksOf(...chunks: unknown[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c as Uint8Array;
}

describe('fileio', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'copyreg-fileio-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('dump / load / loadAll on paths', () => {
    it('writes exactly the bytes dumps makes, synchronously, and reads them back', () => {
      const value = { a: [1, 2n ** 70n, 'é'], m: new Map([[1, new Set(['x'])]]) };
      for (const protocol of [0, 2, 5]) {
        const p = file(`value-${protocol}.pkl`);
        expect(dump(value, p, { protocol })).to.equal(undefined);
        expect(new Uint8Array(readFileSync(p))).to.deep.equal(dumps(value, { protocol }));
        expect(load(p)).to.deep.equal(value);
      }
    });

    it('reads back to back pickles of any protocol with loadAll, one fresh Unpickler each', () => {
      const p = file('many.pkl');
      const shared = ['s'];
      writeFileSync(p, concat(dumps([shared, shared], { protocol: 0 }), dumps({ k: 1 }, { protocol: 2 }), dumps('last', { protocol: 5 })));
      const values = [...loadAll(p)];
      expect(values).to.deep.equal([[['s'], ['s']], { k: 1 }, 'last']);
      const first = values[0] as unknown[][];
      expect(first[0]).to.equal(first[1]);
      // load takes the first pickle and ignores the rest.
      expect(load(p)).to.deep.equal([['s'], ['s']]);
    });

    it('passes the Unpickler options (placeholders) through', () => {
      const p = file('global.pkl');
      dump(new PyGlobal('elsewhere', 'Thing'), p);
      expect(() => load(p)).to.throw(UnpicklingError, "global 'elsewhere.Thing' is forbidden");
      expect(load(p, { placeholders: true })).to.deep.equal(new PyGlobal('elsewhere', 'Thing'));
      expect([...loadAll(p, { placeholders: true })]).to.deep.equal([new PyGlobal('elsewhere', 'Thing')]);
    });
  });

  describe('load / loadAll on bytes', () => {
    it('reads a Uint8Array or a Buffer, and loadAll yields lazily, throwing only at the bad pickle', () => {
      const data = concat(dumps(1), dumps([2]), new Uint8Array([0x80, 0x05, 0xff]));
      expect(load(data)).to.equal(1);
      expect(load(Buffer.from(dumps('buf')))).to.equal('buf');
      const it = loadAll(data);
      expect(it.next()).to.deep.equal({ value: 1, done: false });
      expect(it.next()).to.deep.equal({ value: [2], done: false });
      expect(() => it.next()).to.throw(UnpicklingError);
      expect([...loadAll(new Uint8Array(0))]).to.deep.equal([]);
    });

    it('shares an iterator of out-of-band buffers across the pickles, in order', () => {
      const taken: PickleBuffer[] = [];
      const opts = { protocol: 5, bufferCallback: (b: PickleBuffer) => void taken.push(b) } as const;
      const data = concat(
        dumps(new PickleBuffer(new Uint8Array([1]), true), opts),
        dumps(new PickleBuffer(new Uint8Array([2, 2]), true), opts),
      );
      const values = [...loadAll(data, { buffers: new Set(taken) })] as Uint8Array[];
      expect(values.map((v) => Array.from(v))).to.deep.equal([[1], [2, 2]]);
    });
  });

  describe('dump to writers and web streams', () => {
    it('hands a plain writer the bytes in one call, and waits for a Promise it returns', async () => {
      const got: Uint8Array[] = [];
      await dump([1, 'a'], { write: (b: Uint8Array) => void got.push(b) }, { protocol: 3 });
      expect(got).to.have.length(1);
      expect(got[0]).to.deep.equal(dumps([1, 'a'], { protocol: 3 }));
      let release: () => void = () => undefined;
      let settled = false;
      const pending = dump(1, { write: () => new Promise<void>((r) => (release = r)) }).then(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 5));
      expect(settled).to.equal(false);
      release();
      await pending;
      expect(settled).to.equal(true);
    });

    it("rejects with the writer's error, and writes nothing for a value that cannot be pickled", async () => {
      const boom = new Error('disk full');
      expect(await rejection(dump(1, { write: () => Promise.reject(boom) }))).to.equal(boom);
      let calls = 0;
      const e = await rejection(dump(new PickleBuffer(new Uint8Array(1)), { write: () => void calls++ }, { protocol: 4 }));
      expect(e).to.be.instanceOf(PicklingError);
      expect(calls).to.equal(0);
    });

    it('writes through a web WritableStream and releases its writer, leaving it open', async () => {
      const chunks: Uint8Array[] = [];
      const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
      await dump({ x: 1 }, stream);
      await dump({ y: 2 }, stream);
      expect(stream.locked).to.equal(false);
      const writer = stream.getWriter();
      await writer.close();
      expect([...loadAll(concat(...chunks))]).to.deep.equal([{ x: 1 }, { y: 2 }]);
    });
  });

  describe('load / loadAll on async iterables and web streams', () => {
    it('reads chunks given as Uint8Array, ArrayBuffer or any ArrayBufferView', async () => {
      const data = dumps({ list: [1, 2, 3], s: 'text' }, { protocol: 4 });
      const parts = [data.slice(0, 5), data.slice(5, 9).buffer, new DataView(data.slice(9, 12).buffer), new Int8Array(data.slice(12).buffer)];
      expect(await load(chunksOf(...parts))).to.deep.equal(loads(data));
      expect(await collect(loadAll(chunksOf(...parts, ...parts)))).to.deep.equal([loads(data), loads(data)]);
    });

    it('rejects chunks that are not bytes, naming them', async () => {
      const e = await rejection(load(chunksOf(dumps(1).subarray(0, 2), 42)));
      expect(e).to.be.instanceOf(TypeError);
      expect((e as Error).message).to.equal('stream chunks must be bytes, not number');
      const s = await rejection(load(chunksOf('text')));
      expect((s as Error).message).to.include('not strings');
    });

    it('ends the iteration of the source when the loop breaks early', async () => {
      let finished = false;
      async function* source(): AsyncGenerator<Uint8Array> {
        try {
          for (;;) yield dumps('tick');
        } finally {
          finished = true;
        }
      }
      const seen: unknown[] = [];
      for await (const v of loadAll(source())) {
        seen.push(v);
        if (seen.length === 2) break;
      }
      expect(seen).to.deep.equal(['tick', 'tick']);
      expect(finished).to.equal(true);
    });

    it('yields each pickle of a web stream as soon as it is complete', async () => {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
      const it = loadAll(stream as PickleSource)[Symbol.asyncIterator]();
      controller.enqueue(dumps('first'));
      expect(await it.next()).to.deep.equal({ value: 'first', done: false });
      const second = dumps(['second']);
      controller.enqueue(second.subarray(0, 3));
      controller.enqueue(second.subarray(3));
      expect(await it.next()).to.deep.equal({ value: ['second'], done: false });
      controller.close();
      expect(await it.next()).to.deep.equal({ value: undefined, done: true });
    });
  });

  describe('argument checks', () => {
    it('refuses what is not a path, descriptor, bytes or stream, and bad descriptors, synchronously', () => {
      expect(() => dump(1, {} as never)).to.throw(
        TypeError,
        'dump(): file must be a path, a file descriptor or a writable stream, not Object',
      );
      expect(() => dump(1, -1)).to.throw(TypeError, 'dump(): a file descriptor must be a non-negative integer, not -1');
      expect(() => load(1.5)).to.throw(TypeError, 'load(): a file descriptor must be a non-negative integer, not 1.5');
      expect(() => loadAll(null as never)).to.throw(
        TypeError,
        'loadAll(): file must be a path, a file descriptor, bytes or a readable stream, not null',
      );
    });
  });

  describe('readAll', () => {
    it('returns a lone chunk as it is, and joins several in order', async () => {
      const one = new Uint8Array([1, 2, 3]);
      expect(await readAll(chunksOf(one))).to.equal(one);
      const joined = await readAll(chunksOf(new Uint8Array([1]), new Uint8Array([]), new Uint8Array([2, 3])));
      expect(joined).to.deep.equal(new Uint8Array([1, 2, 3]));
      expect(await readAll(chunksOf())).to.deep.equal(new Uint8Array(0));
    });

    it('turns Buffer chunks into plain Uint8Arrays over the same memory', async () => {
      const buf = Buffer.from([4, 5, 6]);
      const got = await readAll(chunksOf(buf));
      expect(got.constructor).to.equal(Uint8Array);
      expect(got.buffer).to.equal(buf.buffer);
      expect(got.byteOffset).to.equal(buf.byteOffset);
      expect(Array.from(got)).to.deep.equal([4, 5, 6]);
    });

    it('reads a web stream through a reader alone, and releases the lock', async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array([1, 2]));
          c.enqueue(new Uint8Array([3]));
          c.close();
        },
      });
      const readerOnly = { getReader: () => stream.getReader() } as unknown as PickleSource;
      expect(await readAll(readerOnly)).to.deep.equal(new Uint8Array([1, 2, 3]));
      expect(stream.locked).to.equal(false);
    });
  });
});
