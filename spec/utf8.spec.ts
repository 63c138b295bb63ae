import { execFileSync } from 'node:child_process';

import { expect } from 'chai';
import fc from 'fast-check';

import {
  UnicodeDecodeError,
  UnicodeEncodeError,
  decodeAscii,
  decodeLatin1,
  decodeRawUnicodeEscape,
  decodeUtf8,
  encodeLatin1,
  encodeUtf8,
  encodeUtf8Into,
  utf8Length,
} from '../lib/utf8';

type Outcome = { ok: string } | { err: string };

// One CPython process answers every codec question the properties below ask.
const PYTHON = `
import json, sys
request = json.load(sys.stdin)
def run(f):
    try:
        return {'ok': f()}
    except (UnicodeError, ValueError) as exc:
        return {'err': str(exc)}
def decode(codec, *errors):
    return [run(lambda: bytes.fromhex(h).decode(codec, *errors)) for h in request[codec]]
json.dump({
    'utf-8': decode('utf-8', 'surrogatepass'),
    'raw-unicode-escape': decode('raw-unicode-escape'),
    'latin-1': [run(lambda: s.encode('latin-1').hex()) for s in request['latin-1']],
}, sys.stdout)
`;

function isWellFormed(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

function outcome(f: () => string): Outcome {
  try {
    return { ok: f() };
  } catch (err) {
    if (err instanceof UnicodeDecodeError || err instanceof UnicodeEncodeError) {
      return { err: err.message };
    }
    throw err;
  }
}

// Bytes that sit on UTF-8's decision boundaries, mixed with arbitrary ones.
const edgyByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x41, 0x5c, 0x75, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2),
  fc.constantFrom(0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
);
const utf16 = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })))
  .map((units) => String.fromCharCode(...units));

describe('utf8', () => {
  describe('encodeUtf8', () => {
    it('matches Buffer for well-formed strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (s) => {
          fc.pre(isWellFormed(s));
          expect(hex(encodeUtf8(s))).to.equal(Buffer.from(s, 'utf8').toString('hex'));
        }),
      );
    });

    it('writes lone surrogates in their 3-byte form (surrogatepass)', () => {
      expect(hex(encodeUtf8('\ud800'))).to.equal('eda080');
      expect(hex(encodeUtf8('\udfff'))).to.equal('edbfbf');
      expect(hex(encodeUtf8('a\udc80b'))).to.equal('61edb28062');
      expect(hex(encodeUtf8('\udc00\ud800'))).to.equal('edb080eda080');
      expect(hex(encodeUtf8('\ud83d\ude00'))).to.equal('f09f9880');
      expect(hex(encodeUtf8('x\ud83d'))).to.equal('78eda0bd');
    });

    it('round-trips any UTF-16 through decodeUtf8, lone surrogates included', () => {
      fc.assert(
        fc.property(fc.oneof(utf16, fc.string({ unit: 'binary' })), (s) => {
          const encoded = encodeUtf8(s);
          expect(encoded.length).to.equal(utf8Length(s));
          expect(decodeUtf8(encoded, 0, encoded.length)).to.equal(s);
        }),
      );
    });

    it('handles long strings with a late non-ASCII character', () => {
      const s = 'a'.repeat(50000) + '\u00e9' + 'b'.repeat(20000) + '\ud800';
      const encoded = encodeUtf8(s);
      expect(encoded.length).to.equal(50000 + 2 + 20000 + 3);
      expect(decodeUtf8(encoded, 0, encoded.length)).to.equal(s);
    });
  });

  describe('encodeUtf8Into', () => {
    it('writes at an offset and reports the byte count', () => {
      fc.assert(
        fc.property(utf16, fc.nat(8), (s, offset) => {
          const out = new Uint8Array(offset + s.length * 3);
          const written = encodeUtf8Into(s, out, offset);
          expect(written).to.equal(utf8Length(s));
          expect(hex(out.subarray(offset, offset + written))).to.equal(hex(encodeUtf8(s)));
          expect(out.subarray(0, offset).every((b) => b === 0)).to.equal(true);
        }),
      );
    });

    it('accepts an exact fit and refuses too little room', () => {
      const out = new Uint8Array(5);
      expect(encodeUtf8Into('\u00e9\u20ac', out, 0)).to.equal(5);
      expect(hex(out)).to.equal('c3a9e282ac');
      expect(() => encodeUtf8Into('\u00e9\u20ac', out, 1)).to.throw(RangeError);
    });
  });

  describe('decodeUtf8', () => {
    it('matches Buffer on valid UTF-8, honouring start and end', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), fc.nat(4), fc.nat(4), (s, pre, post) => {
          fc.pre(isWellFormed(s));
          const body = Buffer.from(s, 'utf8');
          const data = new Uint8Array(pre + body.length + post).fill(0xff);
          data.set(body, pre);
          expect(decodeUtf8(data, pre, pre + body.length)).to.equal(s);
        }),
      );
    });

    it('decodes encoded surrogates as lone surrogates (surrogatepass)', () => {
      expect(decodeUtf8(bytes('eda080'), 0, 3)).to.equal('\ud800');
      expect(decodeUtf8(bytes('edbfbf41'), 0, 4)).to.equal('\udfffA');
      expect(decodeUtf8(bytes('61edb280'), 0, 4)).to.equal('a\udc80');
    });

    // [what is wrong, input, CPython's message after "'utf-8' codec can't decode "]
    const invalid: [string, string, string][] = [
      ['a lone continuation byte', '80', 'byte 0x80 in position 0: invalid start byte'],
      ['an overlong 2-byte lead', '41c0af', 'byte 0xc0 in position 1: invalid start byte'],
      ['a byte above f4', 'f5808080', 'byte 0xf5 in position 0: invalid start byte'],
      ['0xff', 'ff', 'byte 0xff in position 0: invalid start byte'],
      ['an overlong 3-byte form', 'e08080', 'byte 0xe0 in position 0: invalid continuation byte'],
      ['an overlong 4-byte form', 'f0808080', 'byte 0xf0 in position 0: invalid continuation byte'],
      ['above U+10FFFF', 'f4908080', 'byte 0xf4 in position 0: invalid continuation byte'],
      ['a bad third byte', 'e28228', 'bytes in position 0-1: invalid continuation byte'],
      ['a bad fourth byte', 'f09f9828', 'bytes in position 0-2: invalid continuation byte'],
      ['a truncated 2-byte form', 'c3', 'byte 0xc3 in position 0: unexpected end of data'],
      ['a truncated 3-byte form', '41e282', 'bytes in position 1-2: unexpected end of data'],
      ['a truncated 4-byte form', 'f09f98', 'bytes in position 0-2: unexpected end of data'],
      ['half an encoded surrogate', 'eda041', 'byte 0xed in position 0: invalid continuation byte'],
      ['a truncated surrogate', 'eda0', 'byte 0xed in position 0: invalid continuation byte'],
    ];
    for (const [label, input, message] of invalid) {
      it(`rejects ${label}`, () => {
        const data = bytes(input);
        expect(() => decodeUtf8(data, 0, data.length))
          .to.throw(UnicodeDecodeError)
          .with.property('message', `'utf-8' codec can't decode ${message}`);
      });
    }

    it('reports positions relative to start', () => {
      const data = bytes('41 41 41 ff');
      expect(() => decodeUtf8(data, 2, 4))
        .to.throw(UnicodeDecodeError, 'decode byte 0xff in position 1:')
        .that.includes({ encoding: 'utf-8', start: 1, end: 2, reason: 'invalid start byte' });
    });
  });

  describe('decodeLatin1, encodeLatin1 and decodeAscii', () => {
    it('maps each byte to the same code point and back', () => {
      const all = Uint8Array.from({ length: 256 * 40 }, (_, i) => i & 0xff);
      const text = decodeLatin1(all, 0, all.length);
      expect(text).to.equal(Buffer.from(all).toString('latin1'));
      expect(hex(encodeLatin1(text))).to.equal(hex(all));
      expect(decodeLatin1(all, 3, 5)).to.equal('\x03\x04');
    });

    it('decodes ASCII and rejects the first byte above 0x7f', () => {
      expect(decodeAscii(bytes('616263'), 0, 3)).to.equal('abc');
      expect(() => decodeAscii(bytes('6180ff'), 0, 3)).to.throw(
        UnicodeDecodeError,
        "'ascii' codec can't decode byte 0x80 in position 1: ordinal not in range(128)",
      );
    });
  });

  describe('against CPython', () => {
    const utf8Inputs = fc.sample(fc.array(edgyByte, { maxLength: 10 }), {
      seed: 42,
      numRuns: 3000,
    });
    const rawInputs = fc.sample(
      fc.array(
        fc.oneof(
          edgyByte,
          fc.constantFrom(...Buffer.from('\\\\uU0123456789abcdefABCDEFg')),
        ),
        { maxLength: 14 },
      ),
      { seed: 7, numRuns: 1500 },
    );
    const latin1Inputs = fc.sample(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.string({ unit: fc.constantFrom('a', '\u00ff', '\u0100', '\ud83d\ude00', '\udc00') }),
      ),
      { seed: 3, numRuns: 500 },
    );
    let python: Record<'utf-8' | 'raw-unicode-escape' | 'latin-1', Outcome[]>;

    before(() => {
      const request = {
        'utf-8': utf8Inputs.map((b) => hex(Uint8Array.from(b))),
        'raw-unicode-escape': rawInputs.map((b) => hex(Uint8Array.from(b))),
        'latin-1': latin1Inputs,
      };
      const output = execFileSync('python3', ['-c', PYTHON], {
        input: JSON.stringify(request),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      python = JSON.parse(output) as typeof python;
    });

    it('decodeUtf8 gives the same text or the same error message', () => {
      utf8Inputs.forEach((input, i) => {
        const data = Uint8Array.from(input);
        const ours = outcome(() => decodeUtf8(data, 0, data.length));
        expect(ours, hex(data)).to.deep.equal(python['utf-8'][i]);
      });
    });

    it('decodeRawUnicodeEscape gives the same text or the same error message', () => {
      rawInputs.forEach((input, i) => {
        const data = Uint8Array.from(input);
        const ours = outcome(() => decodeRawUnicodeEscape(data, 0, data.length));
        expect(ours, hex(data)).to.deep.equal(python['raw-unicode-escape'][i]);
      });
    });

    it('encodeLatin1 gives the same bytes or the same error message', () => {
      latin1Inputs.forEach((input, i) => {
        const ours = outcome(() => hex(encodeLatin1(input)));
        expect(ours, JSON.stringify(input)).to.deep.equal(python['latin-1'][i]);
      });
    });
  });
});
