/**
 * `copyreg/node`: pickles in files and streams, for Node.
 *
 * The functions are those of the package root (`import { dump, load, loadAll } from 'copyreg'`
 * gives the same ones); this entry point differs only in how it reaches `node:fs`:
 *
 * - The root is browser-safe and imports nothing from Node. Its `dump`/`load`/`loadAll` take
 *   streams everywhere (a Node Writable/Readable, a web WritableStream/ReadableStream, an async
 *   iterable of chunks, or any object with `write(bytes)`), and take a path or a file descriptor
 *   only in Node, where they look `node:fs` up when first given one, through
 *   `process.getBuiltinModule` (Node 20.16+ / 22.3+). There is no `require('node:fs')` anywhere in
 *   the root's module graph, so bundlers targeting the browser neither fail nor pull a polyfill.
 * - This module imports `node:fs` statically, so paths and descriptors work on every Node the
 *   package supports (18+), including versions without `process.getBuiltinModule`; importing it
 *   anywhere in a program is enough for the root functions to work there too.
 *
 * The calling conventions, in short:
 *
 * | call | returns |
 * | --- | --- |
 * | `dump(obj, pathOrFd, options?)` | `void`, synchronous (a path is truncated) |
 * | `dump(obj, stream, options?)` | `Promise<void>`, once the stream has taken the bytes |
 * | `load(pathOrFdOrBytes, options?)` | the first pickle's value, synchronously |
 * | `load(stream, options?)` | a `Promise` of the first pickle, after the stream has ended |
 * | `loadAll(pathOrFdOrBytes, options?)` | a `Generator` of every pickle, back to back |
 * | `loadAll(stream, options?)` | an `AsyncGenerator`, each pickle as soon as it has arrived |
 *
 * A descriptor is written at, and read from, its current position; `load` of a descriptor reads it
 * to the end (Node cannot seek back), so read several pickles with `loadAll`. Each pickle that
 * `loadAll` reads gets a fresh Unpickler, as Python's `while True: pickle.load(f)` does.
 *
 * @example
 * ```ts
 * import { openSync, closeSync } from 'node:fs';
 * import { dump, loadAll } from 'copyreg/node';
 *
 * const fd = openSync('log.pkl', 'a');
 * dump({ event: 'start' }, fd);
 * dump({ event: 'stop' }, fd);
 * closeSync(fd);
 * for (const record of loadAll('log.pkl')) console.log(record);
 * ```
 */
import * as fs from 'node:fs';

import { useFileSystem } from './filesystem';

useFileSystem(fs);

export { dump, load, loadAll } from './fileio';
export type {
  ByteWriter,
  PickleInput,
  PickleSink,
  PickleSource,
  PickleTarget,
  WebReadableStream,
  WebWritableStream,
} from './fileio';
