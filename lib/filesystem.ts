/**
 * Paths and file descriptors for fileio.ts: the part of `node:fs` it needs, found through
 * `process.getBuiltinModule` (or supplied by lib/node.ts), and descriptor reads and writes that
 * wait out a non-blocking pipe. Browser-safe: nothing here imports Node.
 */

/**
 * The part of `node:fs` this module uses. `readFileSync` of a descriptor reads from its current
 * position to the end; `writeFileSync` of a descriptor writes at its current position.
 */
export interface FileSystem {
  readFileSync(file: string | number): Uint8Array;
  writeFileSync(file: string | number, data: Uint8Array): void;
  /** For descriptors: a write that may be partial (node:fs has it). */
  writeSync?(fd: number, data: Uint8Array, offset: number, length: number): number;
  /** For descriptors: a read at the current position (node:fs has it). */
  readSync?(fd: number, buffer: Uint8Array, offset: number, length: number, position: null): number;
}

/** Sleeps the thread briefly: a descriptor that would block (a non-blocking pipe) is tried again. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

function isAgain(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'EAGAIN';
}

/** Writes all of `data` to a descriptor, waiting while a non-blocking pipe is full (EAGAIN). */
export function writeDescriptor(fs: FileSystem, fd: number, data: Uint8Array): void {
  if (fs.writeSync === undefined) return fs.writeFileSync(fd, data);
  for (let at = 0; at < data.length; ) {
    try {
      at += fs.writeSync(fd, data, at, data.length - at);
    } catch (e) {
      if (!isAgain(e)) throw e;
      pause();
    }
  }
}

/** Reads a descriptor to its end, waiting while a non-blocking pipe has nothing yet (EAGAIN). */
export function readDescriptor(fs: FileSystem, fd: number): Uint8Array {
  if (fs.readSync === undefined) return fs.readFileSync(fd);
  let buf = new Uint8Array(64 * 1024);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const next = new Uint8Array(buf.length * 2);
      next.set(buf);
      buf = next;
    }
    let n: number;
    try {
      n = fs.readSync(fd, buf, len, buf.length - len, null);
    } catch (e) {
      if (!isAgain(e)) throw e;
      pause();
      continue;
    }
    if (n === 0) return buf.subarray(0, len);
    len += n;
  }
}

let fileSystem: FileSystem | undefined;

/**
 * Supplies `node:fs` for paths and descriptors; lib/node.ts calls it on import, so that
 * `copyreg/node` also works on Node versions without `process.getBuiltinModule`.
 *
 * @internal
 */
export function useFileSystem(fs: FileSystem): void {
  fileSystem = fs;
}

/**
 * The file system for a path or descriptor argument of `fn`.
 *
 * @param fn The calling function's name, for the error.
 * @returns `node:fs` (or what {@link useFileSystem} supplied).
 * @throws {TypeError} when no file system can be found (a browser, or Node before 20.16 / 22.3).
 */
export function getFileSystem(fn: string): FileSystem {
  if (fileSystem !== undefined) return fileSystem;
  // globalThis.process rather than the free name `process`, which some bundlers rewrite.
  type Process = { getBuiltinModule?: (id: string) => unknown };
  const proc = (globalThis as unknown as { process?: Process }).process;
  const fs =
    typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:fs') : undefined;
  if (fs === undefined || fs === null) {
    throw new TypeError(
      `${fn}(): paths and file descriptors need node:fs (Node 20.16+ / 22.3+, or import from ` +
        `'copyreg/node'); pass a stream instead`,
    );
  }
  fileSystem = fs as FileSystem;
  return fileSystem;
}
