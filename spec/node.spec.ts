import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { ReadableStream, WritableStream } from 'node:stream/web';

import { expect } from 'chai';

import { PicklingError, UnpicklingError } from '../lib/errors';
import { dump, load, loadAll, type PickleSource } from '../lib/node';
import { dumps, loads } from '../lib/pickle';
import { PickleBuffer } from '../lib/pyobjects';
import { collect, rejection } from './helpers/async';
import { bytesOf as concat } from './helpers/vectors';

const ROOT = path.join(__dirname, '..');

/** The pickle split into chunks of `size` bytes, as Node Buffers (what fs streams give). */
function chunked(bytes: Uint8Array, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, i + size)));
  return out;
}

/** A Writable that keeps what it is given. */
function memorySink(): { stream: Writable; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(new Uint8Array(chunk));
      setTimeout(cb, 1); // flushed later, so dump must wait for the callback
    },
  });
  return { stream, bytes: () => concat(...chunks) };
}

// Values whose pickles exercise every kind of opcode argument the stream scanner must skip:
// newline-terminated text (protocol 0), 1/4/8-byte lengths, fixed-size numbers, frames.
const SAMPLES: unknown[] = [
  null,
  [true, false, 0, -1, 255, 65535, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 12345678901234567890n],
  { text: 'line\nbreak', long: 'x'.repeat(300), unicode: 'é\u{1F600}', empty: '' },
  [1.5, -0, NaN, Infinity, 1e300],
  new Uint8Array([0, 10, 13, 255]),
  new Uint8Array(70_000).fill(7),
  new Set([1, 'two']),
  new Map<unknown, unknown>([[1, 'one'], ['k', [1, 2]]]),
  Object.freeze([1, 'tuple', Object.freeze([])]),
  new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 123)),
];

describe('copyreg/node: dump and load', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'copyreg-node-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('paths', () => {
    it('round-trips every sample at every protocol, synchronously', () => {
      for (let protocol = 0; protocol <= 5; protocol++) {
        for (const value of SAMPLES) {
          const p = file(`sample-${protocol}.pkl`);
          expect(dump(value, p, { protocol })).to.equal(undefined);
          expect(readFileSync(p)).to.deep.equal(Buffer.from(dumps(value, { protocol })));
          expect(load(p)).to.deep.equal(loads(dumps(value, { protocol })));
        }
      }
    });

    it('truncates an existing file', () => {
      const p = file('truncate.pkl');
      dump('x'.repeat(1000), p);
      dump(1, p);
      expect(readFileSync(p).length).to.equal(dumps(1).length);
      expect(load(p)).to.equal(1);
    });

    it('passes Pickler and Unpickler options through', () => {
      const p = file('options.pkl');
      dump([1], p, { protocol: 0 });
      expect(readFileSync(p, 'latin1')).to.equal('(lp0\nI1\na.');
      writeFileSync(p, Buffer.from("S'caf\\xe9'\np0\n.", 'latin1'));
      expect(() => load(p)).to.throw(UnpicklingError);
      expect(load(p, { encoding: 'latin1' })).to.equal('café');
    });

    it('loads bytes as plain Uint8Arrays that own their memory, not Buffer views', () => {
      const p = file('bytes.pkl');
      dump([new Uint8Array([1, 2, 3])], p);
      const [bytes] = load(p) as [Uint8Array];
      expect(bytes.constructor).to.equal(Uint8Array);
      expect(bytes.byteLength).to.equal(bytes.buffer.byteLength);
    });

    it('ignores what follows the first pickle', () => {
      const p = file('trailing.pkl');
      writeFileSync(p, concat(dumps('first'), dumps('second'), new Uint8Array([0xff])));
      expect(load(p)).to.equal('first');
    });

    it('reports an empty file as UnpicklingError: Ran out of input', () => {
      const p = file('empty.pkl');
      writeFileSync(p, '');
      expect(() => load(p)).to.throw(UnpicklingError, 'Ran out of input');
    });

    it("propagates node:fs errors", () => {
      expect(() => load(file('missing.pkl'))).to.throw(/ENOENT/);
      expect(() => dump(1, path.join(dir, 'no', 'such', 'dir.pkl'))).to.throw(/ENOENT/);
      expect(() => load(dir)).to.throw(/EISDIR/);
    });

    it('writes nothing when the value cannot be pickled', () => {
      const p = file('never.pkl');
      expect(() => dump({ f: Symbol('s') }, p)).to.throw(PicklingError);
      expect(existsSync(p)).to.equal(false);
    });

    it('refuses forbidden globals, as loads does', () => {
      const p = file('evil.pkl');
      writeFileSync(p, "cos\nsystem\n(S'echo hi'\ntR.");
      expect(() => load(p)).to.throw(UnpicklingError, "global 'os.system' is forbidden");
      const placeholder = load(p, { placeholders: true });
      expect(placeholder).to.have.property('args').that.deep.equals(['echo hi']);
    });
  });

  describe('file descriptors', () => {
    it('writes at the current position, so several dumps leave pickles back to back', () => {
      const p = file('fd.pkl');
      const fd = openSync(p, 'w');
      try {
        for (const value of SAMPLES) expect(dump(value, fd, { protocol: 4 })).to.equal(undefined);
      } finally {
        closeSync(fd);
      }
      expect([...loadAll(p)]).to.deep.equal(SAMPLES.map((v) => loads(dumps(v, { protocol: 4 }))));
    });

    it('waits on a non-blocking pipe that is full (EAGAIN) instead of failing half-way; reads one too', function () {
      this.timeout(60_000);
      // A child whose stdout is a pipe made non-blocking (touching process.stdout does that), and
      // a reader that starts late, so that the 64 KiB pipe fills up while dump writes 2 MB.
      const lib = path.join(ROOT, 'lib', 'node');
      const child = `require(${JSON.stringify(lib)}); process.stdout; require(${JSON.stringify(lib)}).dump(new Uint8Array(2_000_000).fill(7), 1)`;
      const reader = `process.stdin; const v = require(${JSON.stringify(lib)}).load(0); console.log(v.length, v[1999999])`;
      const q = (t: string): string => `'${t.replace(/'/g, "'\\''")}'`;
      const node = `${q(process.execPath)} -r ts-node/register/transpile-only -e`;
      const r = spawnSync('sh', ['-c', `${node} ${q(child)} | (sleep 1; ${node} ${q(reader)})`], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
      });
      expect(r.stderr).to.equal('');
      expect(r.stdout.trim()).to.equal('2000000 7');
    });

    it('appends to a file opened with flag a', () => {
      const p = file('append.pkl');
      dump('one', p);
      const fd = openSync(p, 'a');
      dump('two', fd, { protocol: 0 });
      closeSync(fd);
      expect([...loadAll(p)]).to.deep.equal(['one', 'two']);
    });

    it('reads from the current position: load consumes the rest, loadAll reads all', () => {
      const p = file('read-fd.pkl');
      writeFileSync(p, concat(dumps(1), dumps(2), dumps(3)));
      let fd = openSync(p, 'r');
      try {
        expect(load(fd)).to.equal(1);
        expect(() => load(fd)).to.throw(UnpicklingError, 'Ran out of input');
      } finally {
        closeSync(fd);
      }
      fd = openSync(p, 'r');
      try {
        expect([...loadAll(fd)]).to.deep.equal([1, 2, 3]);
      } finally {
        closeSync(fd);
      }
    });

    it('rejects descriptors that are not non-negative integers', () => {
      expect(() => dump(1, -1)).to.throw(TypeError, 'non-negative integer');
      expect(() => load(1.5)).to.throw(TypeError, 'non-negative integer');
      expect(() => loadAll(NaN)).to.throw(TypeError, 'non-negative integer');
    });
  });

  describe('loadAll over paths, descriptors and bytes', () => {
    it('with buffers as an array, each pickle takes its own and may read twice (a dict that becomes a Map late)', async () => {
      // CPython: x = {}; x['a'] = [x]; x[1] = 2; pickle.dumps([PickleBuffer(b'abc'), x], 5, buffer_callback=lambda b: False)
      const one = Buffer.from('80059518000000000000005d942897987d94288c0161945d946801614b014b0275652e', 'hex');
      const rebuilt = loads(one, { buffers: [new Uint8Array([1])] }) as [Uint8Array, Map<unknown, unknown>];
      expect(rebuilt[1]).to.be.instanceOf(Map);
      const buffers = [new Uint8Array([97]), new Uint8Array([98]), new Uint8Array([99])];
      const check = (values: unknown[]): void => {
        expect(values.map((v) => Array.from((v as [Uint8Array])[0]))).to.deep.equal([[97], [98], [99]]);
        for (const v of values) {
          const m = (v as [Uint8Array, Map<unknown, unknown>])[1];
          expect(m).to.be.instanceOf(Map);
          expect((m.get('a') as unknown[])[0]).to.equal(m);
        }
      };
      check([...loadAll(concat(one, one, one), { buffers })]);
      const streamed: unknown[] = [];
      for await (const v of loadAll(Readable.from([concat(one, one), one]), { buffers })) streamed.push(v);
      check(streamed);
    });

    it('reads pickles of every protocol written back to back', () => {
      const parts = SAMPLES.map((v, i) => dumps(v, { protocol: i % 6 }));
      const expected = SAMPLES.map((v, i) => loads(dumps(v, { protocol: i % 6 })));
      expect([...loadAll(concat(...parts))]).to.deep.equal(expected);
    });

    it('yields nothing for empty input', () => {
      const p = file('none.pkl');
      writeFileSync(p, '');
      expect([...loadAll(p)]).to.deep.equal([]);
      expect([...loadAll(new Uint8Array(0))]).to.deep.equal([]);
    });

    it('reads the file when called, and produces values lazily', () => {
      expect(() => loadAll(file('missing.pkl'))).to.throw(/ENOENT/);
      const it = loadAll(concat(dumps(1), new Uint8Array([0xff])));
      expect(it.next()).to.deep.equal({ value: 1, done: false });
      expect(() => it.next()).to.throw(UnpicklingError);
    });

    it('throws at a truncated last pickle', () => {
      const whole = dumps([1, 2, 3]);
      const gen = loadAll(concat(dumps('ok'), whole.subarray(0, whole.length - 3)));
      expect(gen.next().value).to.equal('ok');
      expect(() => gen.next()).to.throw(UnpicklingError);
    });

    it('reads each pickle afresh: independent pickles number their memo from 0', () => {
      // Protocol 4+ MEMOIZE stores at the memo's size, so a memo carried over would shift indices.
      const value = { list: [1, 2], again: null as unknown };
      value.again = value.list;
      const data = concat(dumps(value, { protocol: 4 }), dumps(value, { protocol: 5 }));
      const [a, b] = [...loadAll(data)] as (typeof value)[];
      expect(a!.again).to.equal(a!.list);
      expect(b!.again).to.equal(b!.list);
      expect(b!.list).to.not.equal(a!.list);
    });

    it('consumes out-of-band buffers in order across pickles', () => {
      const oob: PickleBuffer[] = [];
      const options = { protocol: 5, bufferCallback: (b: PickleBuffer) => void oob.push(b) };
      const data = concat(
        dumps(new PickleBuffer(new Uint8Array([1]), true), options),
        dumps(new PickleBuffer(new Uint8Array([2]), true), options),
      );
      const values = [...loadAll(data, { buffers: oob })];
      expect(values).to.deep.equal([new Uint8Array([1]), new Uint8Array([2])]);
    });
  });

  describe('writable streams', () => {
    it("rejects, instead of ending the process, when the stream emits 'error' (a file that cannot be opened)", async () => {
      let error: unknown;
      try {
        await dump({ a: 1 }, createWriteStream(path.join(tmpdir(), 'no-such-dir-copyreg', 'x.pkl')));
      } catch (e) {
        error = e;
      }
      expect((error as NodeJS.ErrnoException).code).to.equal('ENOENT');
    });

    it('resolves after a Node Writable has flushed the bytes', async () => {
      // A sink that holds its write callbacks until told to flush, so the order is certain.
      const chunks: Uint8Array[] = [];
      const held: (() => void)[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(new Uint8Array(chunk));
          held.push(() => cb());
        },
      });
      const done = dump({ a: 1 }, stream);
      expect(done).to.be.instanceOf(Promise);
      let settled = false;
      void done.then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).to.equal(false); // the write callback has not run yet
      for (const flush of held.splice(0)) flush();
      await done;
      expect(concat(...chunks)).to.deep.equal(dumps({ a: 1 }));
    });

    it('writes several pickles to a file stream', async () => {
      const p = file('stream.pkl');
      const stream = createWriteStream(p);
      for (const value of SAMPLES) await dump(value, stream, { protocol: 3 });
      await new Promise<void>((resolve) => stream.end(resolve));
      expect([...loadAll(p)]).to.deep.equal(SAMPLES.map((v) => loads(dumps(v, { protocol: 3 }))));
    });

    it('accepts any object with write(bytes), and web streams and writers', async () => {
      const seen: Uint8Array[] = [];
      await dump('plain', { write: (b: Uint8Array) => void seen.push(b) });
      expect(seen).to.deep.equal([dumps('plain')]);

      const web: Uint8Array[] = [];
      const stream = new WritableStream<Uint8Array>({ write: (chunk) => void web.push(chunk) });
      await dump('web', stream);
      const writer = stream.getWriter(); // the lock was released
      await dump('writer', writer);
      await writer.close();
      expect(web).to.deep.equal([dumps('web'), dumps('writer')]);
    });

    it('rejects when the stream fails, and when the value cannot be pickled', async () => {
      const failing = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
      failing.on('error', () => undefined); // the stream also emits it
      expect(await rejection(dump(1, failing))).to.have.property('message', 'disk full');

      const sink = memorySink();
      expect(await rejection(dump(() => 1, sink.stream))).to.be.instanceOf(PicklingError);
      expect(sink.bytes().length).to.equal(0);

      const throwing = {
        write() {
          throw new RangeError('no');
        },
      };
      expect(await rejection(dump(1, throwing))).to.be.instanceOf(RangeError);
    });

    it('rejects what is not a path, a descriptor or a sink, synchronously', () => {
      expect(() => dump(1, {} as never)).to.throw(TypeError, 'writable stream, not Object');
      expect(() => dump(1, null as never)).to.throw(TypeError, 'not null');
    });
  });

  describe('readable streams', () => {
    const data = concat(...SAMPLES.map((v, i) => dumps(v, { protocol: i % 6 })));
    const expected = SAMPLES.map((v, i) => loads(dumps(v, { protocol: i % 6 })));

    it('load reads the stream to its end and returns the first pickle', async () => {
      const value = load(Readable.from(chunked(data, 5)));
      expect(value).to.be.instanceOf(Promise);
      expect(await value).to.deep.equal(expected[0]);
    });

    it('loadAll yields every pickle, whatever the chunking', async () => {
      for (const size of [1, 2, 3, 7, 64, 4096, data.length]) {
        expect(await collect(loadAll(Readable.from(chunked(data, size))))).to.deep.equal(expected);
      }
    });

    it('loadAll splits pickles of every protocol correctly at every byte', async () => {
      for (let protocol = 0; protocol <= 5; protocol++) {
        const parts = [
          dumps({ s: 'a\nb', n: 2 ** 40, f: 0.5 }, { protocol }),
          dumps([[1], 'x'], { protocol }),
        ];
        const whole = concat(...parts);
        for (let cut = 0; cut <= whole.length; cut++) {
          const halves = [whole.subarray(0, cut), whole.subarray(cut)];
          const source = Readable.from(halves.map((h) => Buffer.from(h)));
          expect(await collect(loadAll(source)), `protocol ${protocol}, cut ${cut}`).to.deep.equal([
            loads(parts[0]!),
            loads(parts[1]!),
          ]);
        }
      }
    });

    it('loadAll yields each pickle as soon as it has arrived, before the stream ends', async () => {
      const pipe = new PassThrough();
      const it = loadAll(pipe);
      pipe.write(dumps('first'));
      const first = await it.next();
      expect(first).to.deep.equal({ value: 'first', done: false });
      const second = it.next();
      pipe.write(dumps('second').subarray(0, 4));
      pipe.write(dumps('second').subarray(4));
      expect(await second).to.deep.equal({ value: 'second', done: false });
      pipe.end();
      expect(await it.next()).to.deep.equal({ value: undefined, done: true });
    });

    it('reads each pickle of a stream afresh, and shares the buffers', async () => {
      const value = { list: [1, 2], again: null as unknown };
      value.again = value.list;
      const bytes = concat(dumps(value, { protocol: 4 }), dumps(value, { protocol: 5 }));
      const [a, b] = (await collect(loadAll(Readable.from(chunked(bytes, 3))))) as (typeof value)[];
      expect(a!.again).to.equal(a!.list);
      expect(b!.again).to.equal(b!.list);

      const oob: PickleBuffer[] = [];
      const options = { protocol: 5, bufferCallback: (b: PickleBuffer) => void oob.push(b) };
      const data2 = concat(
        dumps(new PickleBuffer(new Uint8Array([1]), true), options),
        dumps(new PickleBuffer(new Uint8Array([2]), true), options),
      );
      const values = await collect(loadAll(Readable.from(chunked(data2, 2)), { buffers: oob }));
      expect(values).to.deep.equal([new Uint8Array([1]), new Uint8Array([2])]);
    });

    it('rejects with UnpicklingError when the stream ends inside a pickle', async () => {
      const whole = dumps({ a: 'b' });
      const truncated = Readable.from([Buffer.from(whole.subarray(0, whole.length - 1))]);
      expect(await rejection(load(truncated))).to.be.instanceOf(UnpicklingError);
      const it = loadAll(Readable.from(chunked(concat(dumps(1), whole.subarray(0, 5)), 2)));
      expect(await it.next()).to.deep.equal({ value: 1, done: false });
      expect(await rejection(it.next())).to.be.instanceOf(UnpicklingError);
    });

    it('reports malformed input through the Unpickler', async () => {
      const bad = Readable.from([Buffer.from([0x80, 0x05, 0xff])]);
      expect(await rejection(collect(loadAll(bad)))).to.be.instanceOf(UnpicklingError);
      const empty = await rejection(load(Readable.from([])));
      expect(empty).to.have.property('message', 'Ran out of input');
      expect(await collect(loadAll(Readable.from([])))).to.deep.equal([]);
    });

    it('reads web ReadableStreams, by async iteration or through a reader', async () => {
      const web = (): ReadableStream<Uint8Array> =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const c of chunked(data, 11)) controller.enqueue(new Uint8Array(c));
            controller.close();
          },
        });
      expect(await collect(loadAll(web() as PickleSource))).to.deep.equal(expected);
      // A browser ReadableStream without async iteration: only getReader().
      const stream = web();
      const readerOnly = { getReader: () => stream.getReader() } as unknown as PickleSource;
      expect(await load(readerOnly)).to.deep.equal(expected[0]);
      expect(stream.locked).to.equal(false);
    });

    it('cancels a web stream when the loop stops early', async () => {
      let cancelled = false;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(dumps('again'));
        },
        cancel() {
          cancelled = true;
        },
      });
      const readerOnly = { getReader: () => stream.getReader() } as unknown as PickleSource;
      for await (const value of loadAll(readerOnly)) {
        expect(value).to.equal('again');
        break;
      }
      expect(cancelled).to.equal(true);
    });

    it('protocol 0 text lines split across chunks anywhere (a GLOBAL pair, a newline first in a chunk)', async () => {
      const one = dumps([new Date(0), 'x'.repeat(50_000), 12345678901234567890n, 1.5, { k: 'v' }], { protocol: 0 });
      const data = concat(one, one);
      const expected = [loads(one), loads(one)];
      for (const size of [1, 7, 4096]) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
        // And a cut just before and just after a newline.
        const nl = data.indexOf(0x0a, 10);
        const cuts = [data.subarray(0, nl), data.subarray(nl, nl + 1), data.subarray(nl + 1)];
        for (const parts of [chunks, cuts]) {
          const got: unknown[] = [];
          for await (const v of loadAll(Readable.from(parts))) got.push(v);
          expect(got).to.deep.equal(expected);
        }
      }
    });

    it('rejects text chunks and what is not a source', async () => {
      const text = Readable.from(['not bytes']);
      expect(await rejection(load(text as PickleSource))).to.be.instanceOf(TypeError);
      expect(() => load({} as never)).to.throw(TypeError, 'readable stream, not Object');
      expect(() => loadAll(true as never)).to.throw(TypeError, 'not boolean');
    });
  });

  describe('the browser-safe root module (lib/fileio.ts) without copyreg/node', () => {
    // A fresh process, so that nothing has supplied node:fs yet.
    function run(script: string): string {
      const args = ['-r', 'ts-node/register/transpile-only', '-e', script];
      const r = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
      });
      expect(r.stderr).to.equal('');
      expect(r.status).to.equal(0);
      return r.stdout;
    }

    it('finds node:fs through process.getBuiltinModule, and explains when it cannot', function () {
      const proc = process as { getBuiltinModule?: unknown };
      // Skipped on Node < 20.16, which has no process.getBuiltinModule to find node:fs with.
      if (typeof proc.getBuiltinModule !== 'function') this.skip();
      const p = JSON.stringify(file('root.pkl'));
      const out = run(`
        const builtin = process.getBuiltinModule;
        delete process.getBuiltinModule;
        const io = require('./lib/fileio');
        try {
          io.dump(1, ${p});
          console.log('no error');
        } catch (e) {
          console.log(e.name + ': ' + e.message);
        }
        let written = [];
        io.dump(2, { write: (b) => written.push(b) }).then(() => {
          console.log('stream ok', written.length);
          process.getBuiltinModule = builtin;
          io.dump([3], ${p});
          console.log(JSON.stringify(io.load(${p})));
          console.log(Object.keys(require.cache).some((k) => /[\\/]lib[\\/]node\.ts$/.test(k)));
        });
      `);
      expect(out.split('\n')).to.deep.equal([
        'TypeError: dump(): paths and file descriptors need node:fs (Node 20.16+ / 22.3+, ' +
          "or import from 'copyreg/node'); pass a stream instead",
        'stream ok 1',
        '[3]',
        'false', // lib/node.ts was never loaded
        '',
      ]);
    });
  });
});
