// Paths and descriptors for the file helpers (lib/filesystem.ts): node:fs found at run time, and
// descriptor reads and writes that wait out a non-blocking pipe (EAGAIN) and partial transfers.
import { expect } from 'chai';

import { type FileSystem, getFileSystem, readDescriptor, writeDescriptor } from '../lib/filesystem';

/** An EAGAIN error, as node:fs throws it for a non-blocking pipe that is full or empty. */
function again(): Error {
  return Object.assign(new Error('EAGAIN: resource temporarily unavailable'), { code: 'EAGAIN' });
}

/** A descriptor that takes or gives at most `step` bytes per call and says EAGAIN every other call. */
function flakyPipe(input: Uint8Array, step: number): { fs: FileSystem; written: number[]; calls: () => number } {
  const written: number[] = [];
  let calls = 0;
  let readAt = 0;
  const fs: FileSystem = {
    readFileSync: () => {
      throw new Error('readFileSync must not be used for a descriptor');
    },
    writeFileSync: () => {
      throw new Error('writeFileSync must not be used for a descriptor');
    },
    writeSync(_fd, data, offset, length) {
      if (++calls % 2 === 1) throw again();
      const n = Math.min(step, length);
      for (let i = 0; i < n; i++) written.push(data[offset + i]!);
      return n;
    },
    readSync(_fd, buffer, offset, length) {
      if (++calls % 2 === 1) throw again();
      const n = Math.min(step, length, input.length - readAt);
      buffer.set(input.subarray(readAt, readAt + n), offset);
      readAt += n;
      return n;
    },
  };
  return { fs, written, calls: () => calls };
}

describe('filesystem', () => {
  describe('getFileSystem', () => {
    it('finds node:fs on this Node', () => {
      const fs = getFileSystem('load');
      expect(typeof fs.readFileSync).to.equal('function');
      expect(typeof fs.writeSync).to.equal('function');
    });
  });

  describe('writeDescriptor', () => {
    it('writes every byte in order through partial writes and EAGAIN', () => {
      const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
      const pipe = flakyPipe(new Uint8Array(0), 64);
      writeDescriptor(pipe.fs, 1, data);
      expect(pipe.written).to.deep.equal(Array.from(data));
      expect(pipe.calls()).to.be.greaterThan(2 * Math.ceil(1000 / 64) - 1);
    });

    it('passes on any other error', () => {
      const fs: FileSystem = {
        readFileSync: () => new Uint8Array(0),
        writeFileSync: () => undefined,
        writeSync: () => {
          throw Object.assign(new Error('EBADF: bad file descriptor'), { code: 'EBADF' });
        },
      };
      expect(() => writeDescriptor(fs, 99, new Uint8Array(3))).to.throw(Error, 'EBADF');
    });

    it('falls back to writeFileSync when the file system has no writeSync', () => {
      const got: Uint8Array[] = [];
      const fs: FileSystem = { readFileSync: () => new Uint8Array(0), writeFileSync: (_f, d) => void got.push(d) };
      writeDescriptor(fs, 3, Uint8Array.of(1, 2));
      expect(got).to.deep.equal([Uint8Array.of(1, 2)]);
    });
  });

  describe('readDescriptor', () => {
    it('reads to the end through partial reads and EAGAIN, growing its buffer past 64 KiB', () => {
      const input = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff);
      const pipe = flakyPipe(input, 50_000);
      const got = readDescriptor(pipe.fs, 0);
      expect(got.length).to.equal(input.length);
      expect(Buffer.from(got).equals(Buffer.from(input))).to.equal(true);
    });

    it('gives an empty array for an empty descriptor', () => {
      expect(readDescriptor(flakyPipe(new Uint8Array(0), 10).fs, 0)).to.deep.equal(new Uint8Array(0));
    });
  });
});
