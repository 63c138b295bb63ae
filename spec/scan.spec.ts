// lib/scan.ts: finding where one pickle ends without running it (loadAll over streams).
import { expect } from 'chai';

import { dumps } from '../lib/index';
import { endsAtNewline, scanPickle } from '../lib/scan';

describe('scanPickle', () => {
  it('endsAtNewline: the text opcodes of protocol 0, not the length-prefixed ones', () => {
    const at = (text: string): boolean => endsAtNewline(Uint8Array.from(text, (c) => c.charCodeAt(0)), 0);
    for (const op of ['I', 'L', 'F', 'S', 'V', 'c', 'i', 'p', 'g', 'P']) expect(at(op), op).to.equal(true);
    for (const op of ['K', 'J', 'X', '\x8c', 'B', 'C', ']', '}', '.', '(']) expect(at(op), op).to.equal(false);
    expect(endsAtNewline(new Uint8Array(0), 0)).to.equal(false);
  });

  const one = dumps({ a: [1, 'two', 3.5], b: new Uint8Array(300), c: 'x'.repeat(70000) }, { protocol: 5 });
  const old = dumps({ a: [1, 'two'] }, { protocol: 0 });

  it('finds the end of a complete pickle at every protocol', () => {
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const data = dumps([{ k: 'v' }, 1.5, 2n ** 80n, 'é'], { protocol });
      expect(scanPickle(data, 0)).to.deep.equal([true, data.length]);
    }
  });

  it('stops at the first STOP, so pickles written back to back come apart', () => {
    const both = new Uint8Array(one.length + old.length);
    both.set(one);
    both.set(old, one.length);
    const [complete, end] = scanPickle(both, 0);
    expect([complete, end]).to.deep.equal([true, one.length]);
    expect(scanPickle(both, end)).to.deep.equal([true, both.length]);
  });

  it('asks for more bytes at every cut, resuming from an opcode boundary', () => {
    for (const data of [one, old]) {
      for (let cut = 0; cut < data.length; cut += 997) {
        const [complete, at] = scanPickle(data.subarray(0, cut), 0);
        expect(complete, `cut ${cut}`).to.equal(false);
        expect(at).to.be.at.most(cut);
        expect(scanPickle(data, at)).to.deep.equal([true, data.length]);
      }
    }
  });

  it('counts malformed input as complete where it breaks, for the Unpickler to report', () => {
    expect(scanPickle(Uint8Array.from([0xff]), 0)).to.deep.equal([true, 1]);
    // BINSTRING with a negative length.
    expect(scanPickle(Uint8Array.from([0x54, 0xff, 0xff, 0xff, 0xff]), 0)).to.deep.equal([true, 1]);
    // BINUNICODE8 longer than 2**53.
    expect(scanPickle(Uint8Array.from([0x8d, 0, 0, 0, 0, 0, 0, 0x20, 0]), 0)).to.deep.equal([true, 1]);
  });
});
