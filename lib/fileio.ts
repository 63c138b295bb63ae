/**
 * `dump`, `load` and `loadAll`: CPython's `pickle.dump` / `pickle.load` over files and streams.
 *
 * This module is part of the browser-safe core: it imports nothing from Node. Streams are typed
 * structurally (a Node Writable or Readable, a web WritableStream or ReadableStream, or any object
 * with `write(bytes)`), and `node:fs` is looked up only when a path or file descriptor is given,
 * through `process.getBuiltinModule` (Node 20.16+, 22.3+), never with `require`, so bundlers see no
 * Node import. On older Node, importing `copyreg/node` supplies `fs` (see lib/node.ts).
 */
import { getFileSystem, readDescriptor, writeDescriptor } from './filesystem';
import { Pickler, type PicklerOptions } from './pickler';
import { endsAtNewline, scanPickle } from './scan';
import { Unpickler, type UnpicklerOptions } from './unpickler';

/** Anything with a `write` method: a Node Writable, a web stream's writer, `{ write(b) {…} }`. */
export interface ByteWriter {
  /**
   * Writes one chunk. A Node stream calls `callback` once the chunk is flushed; a web writer
   * returns a Promise instead; a plain object may do neither (it is then taken as done on return).
   */
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): unknown;
}

/** A web `WritableStream` (written through a writer that is released afterwards, not closed). */
export interface WebWritableStream {
  getWriter(): { write(chunk: Uint8Array): Promise<void>; releaseLock(): void };
}

/** Where {@link dump} can write besides a path or file descriptor. */
export type PickleSink = ByteWriter | WebWritableStream;

/** A web `ReadableStream` of bytes, read through a reader (browsers without async iteration). */
export interface WebReadableStream {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array }>;
    releaseLock(): void;
    cancel(reason?: unknown): Promise<void>;
  };
}

/**
 * Where {@link load} and {@link loadAll} can read from besides a path, a file descriptor or bytes:
 * an async iterable of byte chunks (a Node Readable, `process.stdin`, a web ReadableStream in Node
 * or a modern browser) or a web ReadableStream.
 */
export type PickleSource = AsyncIterable<Uint8Array> | WebReadableStream;

/** What {@link dump} accepts: a path, a file descriptor or a {@link PickleSink}. */
export type PickleTarget = string | number | PickleSink;

/** What {@link load} and {@link loadAll} accept: a path, a descriptor, bytes or a source. */
export type PickleInput = string | number | Uint8Array | PickleSource;


function isFileArg(file: unknown, fn: string): file is string | number {
  if (typeof file === 'string') return true;
  if (typeof file !== 'number') return false;
  if (!Number.isInteger(file) || file < 0) {
    throw new TypeError(`${fn}(): a file descriptor must be a non-negative integer, not ${file}`);
  }
  return true;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'Object';
  return typeof x;
}

/** A plain Uint8Array over the same memory: Buffer's `slice` shares memory, Uint8Array's copies. */
function plainBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) {
    return chunk.constructor === Uint8Array
      ? chunk
      : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === 'string') {
    throw new TypeError(
      'stream chunks must be bytes, not strings (was an encoding set on the stream?)',
    );
  }
  throw new TypeError(`stream chunks must be bytes, not ${describe(chunk)}`);
}

// --- dump ---

/**
 * Writes the pickle of `obj` (CPython's `pickle.dump`). A path is created or truncated; a file
 * descriptor is written at its current position, so several `dump` calls on one descriptor leave
 * several pickles back to back (read them with {@link loadAll}). Synchronous.
 *
 * @param obj The value.
 * @param file A path or an open file descriptor.
 * @param options As for `dumps`: `protocol`, `bufferCallback`, `dispatchTable`, … .
 * @throws {PicklingError} for a value that cannot be pickled (nothing is written then).
 * @throws the `node:fs` error for a file that cannot be written; `TypeError` outside Node.
 * @example
 * ```ts
 * dump({ a: [1, 2] }, 'data.pkl');
 * ```
 */
export function dump(obj: unknown, file: string | number, options?: PicklerOptions | number | null): void;
/**
 * Writes the pickle of `obj` to a stream in one `write` call.
 *
 * @param obj The value.
 * @param file A Node Writable (the Promise settles on its write callback), a web WritableStream
 *   or writer (on the write's Promise), or any object with `write(bytes)` (when it returns).
 * @param options As for `dumps`.
 * @returns A Promise that settles once the stream has taken the bytes; a pickling error rejects
 *   it before anything is written. The stream is neither ended nor closed.
 * @example
 * ```ts
 * await dump(value, fs.createWriteStream('data.pkl'));
 * ```
 */
export function dump(obj: unknown, file: PickleSink, options?: PicklerOptions | number | null): Promise<void>;
/** Either form, for a `file` whose kind is known only at run time. */
export function dump(
  obj: unknown,
  file: PickleTarget,
  options?: PicklerOptions | number | null,
): void | Promise<void>;
export function dump(
  obj: unknown,
  file: PickleTarget,
  options?: PicklerOptions | number | null,
): void | Promise<void> {
  if (isFileArg(file, 'dump')) {
    const fs = getFileSystem('dump');
    const bytes = new Pickler(options).dump(obj);
    if (typeof file === 'number') writeDescriptor(fs, file, bytes);
    else fs.writeFileSync(file, bytes);
    return;
  }
  if (!isSink(file)) {
    throw new TypeError(
      `dump(): file must be a path, a file descriptor or a writable stream, not ${describe(file)}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Pickler(options).dump(obj);
  } catch (e) {
    return Promise.reject(e);
  }
  return writeTo(file, bytes);
}

function isSink(x: unknown): x is PickleSink {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as { write?: unknown; getWriter?: unknown };
  return typeof s.write === 'function' || typeof s.getWriter === 'function';
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    (typeof x === 'object' || typeof x === 'function') &&
    x !== null &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}

async function writeTo(sink: PickleSink, bytes: Uint8Array): Promise<void> {
  if (typeof (sink as ByteWriter).write !== 'function') {
    const writer = (sink as WebWritableStream).getWriter();
    try {
      await writer.write(bytes);
    } finally {
      writer.releaseLock();
    }
    return;
  }
  const writer = sink as ByteWriter & { on?: unknown; once?: unknown; removeListener?: unknown };
  // A Node stream (an EventEmitter) always calls the callback; anything else may ignore it, so
  // waiting for it there could hang forever.
  const callsBack = typeof writer.on === 'function' && typeof writer.once === 'function';
  const emitter = writer as unknown as {
    once(event: 'error', listener: (e: unknown) => void): void;
    removeListener(event: 'error', listener: (e: unknown) => void): void;
  };
  let onError: ((e: unknown) => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      // Note: a stream that fails (a file that cannot be opened) emits 'error'; unheard, that
      // event would end the process instead of rejecting this Promise.
      if (callsBack && typeof writer.removeListener === 'function') {
        onError = reject;
        emitter.once('error', onError);
      }
      const result = writer.write(bytes, (error) => (error ? reject(error) : resolve()));
      if (isThenable(result)) result.then(() => resolve(), reject);
      else if (!callsBack) resolve();
    });
  } finally {
    if (onError !== undefined) emitter.removeListener('error', onError);
  }
}

// --- load ---

/**
 * Reads one pickle (CPython's `pickle.load`), safely, as `loads` does. Synchronous. Bytes after
 * the first pickle are ignored; a file descriptor is read from its current position to the end
 * (Node cannot seek back), so use {@link loadAll} to read several pickles from one file.
 *
 * @param file A path, an open file descriptor, or the bytes themselves.
 * @param options As for `loads`: `encoding`, `buffers`, `findClass`, `placeholders`, … .
 * @returns The value.
 * @throws {UnpicklingError} for malformed input (`Ran out of input` for an empty file) or a
 *   forbidden global; the `node:fs` error for a file that cannot be read.
 * @example
 * ```ts
 * const value = load('data.pkl');
 * ```
 */
export function load<T = any>(file: string | number | Uint8Array, options?: UnpicklerOptions | null): T;
/**
 * Reads a stream to its end and loads the first pickle in it.
 *
 * @param file A Node Readable, `process.stdin`, an async iterable of byte chunks, or a web
 *   ReadableStream.
 * @param options As for `loads`.
 * @returns A Promise of the value; it rejects with `UnpicklingError` for malformed input.
 * @example
 * ```ts
 * const value = await load(process.stdin);
 * ```
 */
export function load<T = any>(file: PickleSource, options?: UnpicklerOptions | null): Promise<T>;
/** Either form, for a `file` whose kind is known only at run time. */
export function load(file: PickleInput, options?: UnpicklerOptions | null): any;
export function load(file: PickleInput, options?: UnpicklerOptions | null): any {
  options ??= undefined;
  if (isFileArg(file, 'load') || file instanceof Uint8Array) {
    return new Unpickler(readInput(file, 'load'), options).load();
  }
  const source = asSource(file, 'load');
  return readAll(source).then((data) => new Unpickler(data, options).load());
}

/**
 * Reads every pickle written back to back by several `dump` calls, each with a fresh Unpickler,
 * as Python's `while True: pickle.load(f)` loop does. (The output of one `Pickler` whose `dump` was
 * called several times refers back to its own memo; read it with one `Unpickler`, calling
 * `load()` once per `dump`.) The file is read when `loadAll` is called; values are produced
 * lazily.
 *
 * @param file A path, an open file descriptor (read from its current position), or bytes.
 * @param options As for `loads`; `buffers` are consumed in order across all the pickles.
 * @returns A generator of the values, in order; it throws `UnpicklingError` at a malformed or
 *   truncated pickle (including garbage after the last one).
 * @example
 * ```ts
 * for (const record of loadAll('log.pkl')) console.log(record);
 * ```
 */
export function loadAll<T = any>(
  file: string | number | Uint8Array,
  options?: UnpicklerOptions | null,
): Generator<T, void, undefined>;
/**
 * Reads every pickle from a stream, yielding each as soon as its last byte has arrived (the
 * bytes are scanned for STOP without running anything), so it suits pipes and sockets. Each
 * pickle is read by a fresh Unpickler, as for paths.
 * Breaking out of the loop ends the iteration of the stream (which destroys a Node stream).
 *
 * @param file A Node Readable, an async iterable of byte chunks, or a web ReadableStream.
 * @param options As for `loads`; `buffers` are consumed in order across all the pickles.
 * @returns An async generator of the values; it throws `UnpicklingError` at a malformed pickle or
 *   when the stream ends inside one.
 * @example
 * ```ts
 * for await (const message of loadAll(socket)) handle(message);
 * ```
 */
export function loadAll<T = any>(
  file: PickleSource,
  options?: UnpicklerOptions | null,
): AsyncGenerator<T, void, undefined>;
/** Either form, for a `file` whose kind is known only at run time. */
export function loadAll(
  file: PickleInput,
  options?: UnpicklerOptions | null,
): Generator<any, void, undefined> | AsyncGenerator<any, void, undefined>;
export function loadAll(
  file: PickleInput,
  options?: UnpicklerOptions | null,
): Generator<any, void, undefined> | AsyncGenerator<any, void, undefined> {
  options ??= undefined;
  if (isFileArg(file, 'loadAll') || file instanceof Uint8Array) {
    return loadAllBytes(readInput(file, 'loadAll'), options);
  }
  return loadAllStream(asSource(file, 'loadAll'), options ?? {});
}

function readInput(file: string | number | Uint8Array, fn: string): Uint8Array {
  if (file instanceof Uint8Array) return plainBytes(file);
  const fs = getFileSystem(fn);
  return plainBytes(typeof file === 'number' ? readDescriptor(fs, file) : fs.readFileSync(file));
}

function asSource(file: unknown, fn: string): PickleSource {
  if (typeof file === 'object' && file !== null) {
    const s = file as { [Symbol.asyncIterator]?: unknown; getReader?: unknown };
    if (typeof s[Symbol.asyncIterator] === 'function' || typeof s.getReader === 'function') {
      return file as PickleSource;
    }
  }
  throw new TypeError(
    `${fn}(): file must be a path, a file descriptor, bytes or a readable stream, ` +
      `not ${describe(file)}`,
  );
}

/** An Unpickler that tells where it stopped, so back-to-back pickles can be read in turn. */
class SequentialUnpickler extends Unpickler {
  get position(): number {
    return this.pos;
  }

  /** Out-of-band buffers this load took. */
  get buffersTaken(): number {
    return this.buffersUsed;
  }
}

/**
 * The options for each pickle of a sequence: the same, except that `buffers` becomes one shared
 * iterator, so the pickles consume the out-of-band buffers in turn instead of each from the start.
 */
function sequenceOptions(options: UnpicklerOptions = {}): (taken?: SequentialUnpickler) => UnpicklerOptions {
  const buffers = options.buffers as { [Symbol.iterator]?: unknown } | null | undefined;
  // Anything not iterable is passed on unchanged, for the Unpickler to reject as loads does.
  if (buffers === null || buffers === undefined || typeof buffers[Symbol.iterator] !== 'function') {
    return () => options;
  }
  if (Array.isArray(buffers)) {
    // Note: each pickle gets the rest of the array as an array, which it can read again if it
    // must load twice (see Unpickler.load); the previous pickle says how many it took.
    let offset = 0;
    return (previous) => {
      if (previous !== undefined) offset += previous.buffersTaken;
      return { ...options, buffers: offset === 0 ? buffers : buffers.slice(offset) };
    };
  }
  const iterator = (options.buffers as Iterable<unknown>)[Symbol.iterator]();
  const shared = { ...options, buffers: { [Symbol.iterator]: () => iterator } };
  return () => shared;
}

// Each pickle is read by a fresh Unpickler, as Python's `while True: pickle.load(f)` does: pickles
// written by separate dump calls each number their memo from 0 (MEMOIZE uses the memo's size), so
// one Unpickler carrying its memo over would misread them.
function* loadAllBytes(
  data: Uint8Array,
  options?: UnpicklerOptions,
): Generator<unknown, void, undefined> {
  const next = sequenceOptions(options);
  let previous: SequentialUnpickler | undefined;
  for (let at = 0; at < data.length; ) {
    const unpickler = new SequentialUnpickler(data.subarray(at), next(previous));
    previous = unpickler;
    const value = unpickler.load();
    at += unpickler.position;
    yield value;
  }
}

/** Every chunk of a source as plain bytes; an early exit cancels a web stream. */
async function* chunksOf(source: PickleSource): AsyncGenerator<Uint8Array, void, undefined> {
  const iterable = source as AsyncIterable<unknown>;
  if (typeof iterable[Symbol.asyncIterator] === 'function') {
    for await (const chunk of iterable) yield plainBytes(chunk);
    return;
  }
  const reader = (source as WebReadableStream).getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield plainBytes(value);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Reads a source to its end.
 *
 * @internal Used by the CLI.
 */
export async function readAll(source: PickleSource): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunksOf(source)) {
    chunks.push(chunk);
    size += chunk.length;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function* loadAllStream(
  source: PickleSource,
  options: UnpicklerOptions,
): AsyncGenerator<unknown, void, undefined> {
  const next = sequenceOptions(options);
  let previous: SequentialUnpickler | undefined;
  const loadOne = (bytes: Uint8Array): unknown => {
    const unpickler = new SequentialUnpickler(bytes, next(previous));
    previous = unpickler;
    return unpickler.load();
  };
  let buf = new Uint8Array(0);
  let len = 0; // bytes held: buf[0, len)
  let start = 0; // where the current pickle starts
  let scan = start; // the opcode boundary the scan resumes from
  for await (const chunk of chunksOf(source)) {
    if (len + chunk.length > buf.length) {
      // Grow (doubling keeps appends linear) and drop the bytes already loaded.
      const kept = len - start;
      const next = new Uint8Array(Math.max(kept + chunk.length, buf.length * 2, 4096));
      next.set(buf.subarray(start, len));
      buf = next;
      scan -= start;
      len = kept;
      start = 0;
    }
    buf.set(chunk, len);
    const stalled = scan < len && endsAtNewline(buf, scan);
    len += chunk.length;
    // Note: a text line still open needs a newline; scanning it again for each chunk would make
    // a long protocol 0 line cost its length times its chunks.
    if (stalled && chunk.indexOf(0x0a) < 0) continue;
    for (;;) {
      const [complete, at] = scanPickle(buf.subarray(0, len), scan);
      scan = at;
      if (!complete) break;
      // A copy, as the buffer is reused for the bytes that follow.
      const value = loadOne(buf.slice(start, at));
      start = at;
      if (start === len) start = scan = len = 0;
      yield value;
    }
  }
  // The stream ended inside a pickle: let the Unpickler report how it is truncated.
  if (start < len) yield loadOne(buf.slice(start, len));
}
