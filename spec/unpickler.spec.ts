// The Unpickler, rule by rule: ints and their JS types (numbers, bigints, the bigint marker),
// Python 2 strings with `encoding` / `errors`, classic INST / OBJ instances, the Python types
// that map to JS built-ins, name resolution (fix_imports, findClass, the allow-list,
// placeholders), persistent ids, out-of-band buffers, frames, and reading several pickles from
// one stream.
import { expect } from 'chai';
import fc from 'fast-check';

import {
  defaultRegistry,
  dis,
  dumps,
  loads,
  PickleBuffer,
  PyGlobal,
  PyObject,
  reducible,
  Unpickler,
  UnpicklingError,
} from '../lib/index';
import { pyRun, pythonVersion } from './helpers/python';
import { bytesOf, expectSameGraph, latin1, Point, stripFrames, toHex, unhex, VECTORS } from './helpers/vectors';

@reducible({ module: 'spec_unpickler', name: 'Classic' })
class UpClassic {
  ran = false;
  args: unknown[] = [];
  constructor(...args: unknown[]) {
    this.ran = true;
    this.args = args;
  }
}

/** A loaded value's type, for tables: 'number', 'bigint', 'boolean'. */
const kind = (x: unknown): string => typeof x;

describe('Unpickler', () => {
  describe('ints: numbers in the safe range, bigints beyond, and the bigint marker', () => {
    const CASES: [string, unknown][] = [
      ['I5\n', 5],
      ['I-5\n', -5],
      ['I01\n', true],
      ['I00\n', false],
      ['I0x10\n', 16],
      ['I010\n', 8],
      ['I9223372036854775807\n', 9223372036854775807n],
      ['I99999999999999999999\n', 99999999999999999999n],
      ['L5L\n', 5],
      ['L2147483648L\n', 2147483648],
      ['L9007199254740992L\n', 9007199254740992n],
      // No trailing L: CPython never writes it; copyreg's protocol 0/1 bigint marker.
      ['L5\n', 5n],
      ['L-9007199254740993\n', -9007199254740993n],
      ['\x8a\x06\x00\x00\x00\x00\x00\x01', 2 ** 40],
      ['\x8a\x07\xff\xff\xff\xff\xff\xff\x1f', Number.MAX_SAFE_INTEGER],
      ['\x8a\x08\x00\x00\x00\x00\x00\x00\x20\x00', 9007199254740992n],
      ['\x8a\x00', 0],
      ['\x8a\x01\xff', -1],
      // A redundant sign byte (never minimal, so never from CPython): the bigint marker.
      ['\x8a\x02\x05\x00', 5n],
      ['\x8a\x02\xff\xff', -1n],
      ['\x8a\x01\x00', 0n],
      ['\x8a\x07\x00\x00\x00\x00\x00\x01\x00', 2n ** 40n],
      ['\x8b\x02\x00\x00\x00\x00\x01', 256],
      ['\x8b\x03\x00\x00\x00\x00\x01\x00', 256n],
      ['J\xff\xff\xff\xff', -1],
      ['K\xff', 255],
      ['M\xff\xff', 65535],
    ];
    for (const [text, value] of CASES) {
      it(`${JSON.stringify(text)} → ${String(value)}${typeof value === 'bigint' ? 'n' : ''} (${kind(value)})`, () => {
        const got = loads(latin1(`${text}.`));
        expect(kind(got)).to.equal(kind(value));
        expect(got).to.equal(value);
      });
    }

    it('CPython pickles of ints load as numbers up to 2^53-1 and as bigints beyond, at every protocol', () => {
      for (const v of VECTORS.filter((x) => x.name.startsWith('int_'))) {
        const got = loads(unhex(v.hex!));
        const big = /2p63|2p64|2p100|2p2048/.test(v.name);
        expect(typeof got, v.name).to.equal(big ? 'bigint' : 'number');
      }
    });
  });

  describe('str opcodes (SHORT_BINUNICODE, BINUNICODE): every length decodes as CPython decodes', () => {
    /** `SHORT_BINUNICODE` (0x8c) with the given UTF-8 bytes, at protocol 4. */
    const shortStr = (bytes: number[]): Uint8Array => Uint8Array.from([0x80, 4, 0x8c, bytes.length, ...bytes, 0x2e]);
    const utf8 = (s: string): number[] => Array.from(new TextEncoder().encode(s));

    it('ASCII, multi-byte text, a BOM and a real U+FFFD, short and long', () => {
      for (const s of ['abc', 'abcdefgh', 'a'.repeat(200), 'héllo wörld ✓ 𝄞 done', '\ufeffkept BOM text', 'real \ufffd replacement char']) {
        expect(loads(shortStr(utf8(s)))).to.equal(s);
      }
    });

    it('encoded surrogates (surrogatepass) come back as lone surrogates at any length', () => {
      const lone = [0xed, 0xa0, 0x80]; // U+D800
      expect(loads(shortStr([0x61, ...lone]))).to.equal('a\ud800');
      expect(loads(shortStr([...utf8('long enough prefix '), ...lone, 0x7a]))).to.equal('long enough prefix \ud800z');
    });

    it('invalid UTF-8 is an UnpicklingError at any length', () => {
      for (const bytes of [[0xc0, 0x80], [...utf8('long enough prefix '), 0xff, 0x61], [...utf8('prefix of 12'), 0xe2, 0x82]]) {
        expect(() => loads(shortStr(bytes))).to.throw(UnpicklingError);
      }
    });
  });

  describe('Python 2 strings (STRING, BINSTRING, SHORT_BINSTRING) and encoding / errors', () => {
    const PY2 = ["S'caf\\xe9'\n.", 'T\x04\x00\x00\x00caf\xe9.', 'U\x04caf\xe9.'];

    it("decode as ASCII by default: non-ASCII bytes are an UnpicklingError (CPython's UnicodeDecodeError)", () => {
      for (const p of PY2) expect(() => loads(latin1(p))).to.throw(UnpicklingError, "'ascii' codec can't decode byte 0xe9");
      expect(loads(latin1("S'abc'\n."))).to.equal('abc');
    });

    it("encoding 'latin1' gives str; 'bytes' keeps Uint8Array; 'utf-8' decodes UTF-8", () => {
      for (const p of PY2) {
        expect(loads(latin1(p), { encoding: 'latin1' })).to.equal('café');
        expect(loads(latin1(p), { encoding: 'bytes' })).to.deep.equal(latin1('caf\xe9'));
      }
      expect(loads(latin1('U\x05caf\xc3\xa9.'), { encoding: 'utf-8' })).to.equal('café');
    });

    it("errors 'replace' and 'ignore'", () => {
      expect(loads(latin1('U\x04caf\xe9.'), { errors: 'replace' })).to.equal('caf\ufffd');
      expect(loads(latin1('U\x04caf\xe9.'), { errors: 'ignore' })).to.equal('caf');
    });

    it('escapes in STRING are decoded; bad quoting or a trailing backslash is an UnpicklingError', () => {
      expect(loads(latin1("S'a\\nb\\x41\\101\\''\n."))).to.equal("a\nbAA'");
      expect(loads(latin1('S"q"\n.'))).to.equal('q');
      expect(() => loads(latin1("S'abc\n."))).to.throw(UnpicklingError, 'must be quoted');
      expect(() => loads(latin1("S'\\'\n."))).to.throw(UnpicklingError);
    });

    it("errors: each maximal invalid UTF-8 subpart is one error; valid characters survive", () => {
      const probe = unhex('5503ffc3a92e');
      const cases: [string, string][] = [
        ['replace', '\ufffdé'],
        ['ignore', 'é'],
        ['surrogateescape', '\udcffé'],
        ['backslashreplace', '\\xffé'],
      ];
      for (const [errors, want] of cases) expect(loads(probe, { encoding: 'utf-8', errors })).to.equal(want);
      // A truncated 3-byte form is one error, an overlong one error per byte (c0 is never valid).
      expect(loads(latin1('U\x05\xe2\x82a\xc0\x80.'), { encoding: 'utf-8', errors: 'replace' })).to.equal('\ufffda\ufffd\ufffd');
      expect(() => loads(probe, { encoding: 'utf-8' })).to.throw(UnpicklingError, "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    });

    it("errors: encoded surrogates need 'surrogatepass' (UTF-8 only); unknown names fail only when needed", () => {
      const surrogate = unhex('5503eda0802e');
      expect(() => loads(surrogate, { encoding: 'utf-8' })).to.throw(UnpicklingError, 'invalid continuation byte');
      expect(loads(surrogate, { encoding: 'utf-8', errors: 'surrogatepass' })).to.equal('\ud800');
      expect(() => loads(surrogate, { errors: 'surrogatepass' })).to.throw(UnpicklingError, "'ascii' codec can't decode byte 0xed");
      expect(loads(latin1('U\x03abc.'), { errors: 'no-such-handler' })).to.equal('abc');
      expect(() => loads(surrogate, { errors: 'no-such-handler' })).to.throw(UnpicklingError, "LookupError: unknown error handler name 'no-such-handler'");
      expect(() => loads(surrogate, { errors: 'Replace' })).to.throw(UnpicklingError, 'unknown error handler name');
      expect(() => loads(surrogate, { errors: 'xmlcharrefreplace' })).to.throw(UnpicklingError, "don't know how to handle UnicodeDecodeError");
    });

    describe('matches CPython on random bytes, for every encoding and error handler', () => {
      const ENCODINGS = ['utf-8', 'ASCII', 'latin1'];
      const ERRORS = ['strict', 'replace', 'ignore', 'surrogateescape', 'backslashreplace', 'surrogatepass', 'namereplace', 'bogus'];
      const validChar = fc
        .integer({ min: 0x80, max: 0x10ffff })
        .filter((cp) => cp < 0xd800 || cp > 0xdfff)
        .map((cp) => [...Buffer.from(String.fromCodePoint(cp), 'utf8')]);
      const cont = fc.integer({ min: 0x80, max: 0xbf });
      // Pieces that stress the decoder: valid and truncated sequences, overlongs, encoded
      // surrogates, code points above U+10FFFF, stray continuation bytes and c0, c1, f5-ff.
      const piece = fc.oneof(
        fc.integer({ min: 0, max: 0x7f }).map((b) => [b]),
        validChar,
        validChar.chain((b) => fc.integer({ min: 1, max: b.length - 1 }).map((n) => b.slice(0, n))),
        fc.constantFrom([0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf]),
        fc.tuple(fc.integer({ min: 0xa0, max: 0xbf }), cont).map(([b1, b2]) => [0xed, b1, b2]),
        fc.tuple(fc.integer({ min: 0x90, max: 0xbf }), cont, cont).map(([b1, b2, b3]) => [0xf4, b1, b2, b3]),
        fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
      );
      const inputs = fc.sample(fc.array(piece, { maxLength: 12 }).map((p) => Uint8Array.from(p.flat())), { seed: 2718, numRuns: 400 });

      // The three Python 2 str opcodes take turns: STRING (every byte \x-escaped), BINSTRING, SHORT_BINSTRING.
      const pickleOf = (b: Uint8Array, i: number): Uint8Array => {
        const body = Array.from(b, (x) => String.fromCharCode(x)).join('');
        if (i % 3 === 0) return latin1(`S'${Array.from(b, (x) => '\\x' + x.toString(16).padStart(2, '0')).join('')}'\n.`);
        if (i % 3 === 1) return latin1(`T${String.fromCharCode(b.length, 0, 0, 0)}${body}.`);
        return latin1(`U${String.fromCharCode(b.length)}${body}.`);
      };
      type Outcome = { ok: string } | { err: string };
      const cases = inputs.flatMap((b, i) => ENCODINGS.flatMap((encoding) => ERRORS.map((errors) => ({ hex: toHex(pickleOf(b, i)), encoding, errors }))));

      it(`${cases.length} loads agree, value or error message`, function () {
        if (pythonVersion() === undefined) this.skip();
        const python = pyRun<Outcome[]>(
          `
def main(inp):
    out = []
    for c in inp:
        try:
            out.append({'ok': pickle.loads(unhex(c['hex']), encoding=c['encoding'], errors=c['errors'])})
        except Exception as e:
            out.append({'err': '%s: %s' % (type(e).__name__, e)})
    return out
`,
          cases,
        );
        const mismatches = cases.flatMap((c, i) => {
          let ours: Outcome;
          try {
            ours = { ok: loads(unhex(c.hex), { encoding: c.encoding, errors: c.errors }) as string };
          } catch (e) {
            ours = { err: e instanceof UnpicklingError ? e.message : String(e) };
          }
          return JSON.stringify(ours) === JSON.stringify(python[i]) ? [] : [{ ...c, ours, python: python[i] }];
        });
        expect(mismatches.slice(0, 3)).to.deep.equal([]);
      });
    });

    it('encoding does not apply to Python 3 str (UNICODE, BINUNICODE)', () => {
      expect(loads(latin1('Vcaf\xe9\n.'), { encoding: 'bytes' })).to.equal('café');
      expect(loads(latin1('X\x05\x00\x00\x00caf\xc3\xa9.'), { encoding: 'bytes' })).to.equal('café');
    });
  });

  describe('classic instances (INST, OBJ) of a declared class', () => {
    it('without arguments: allocated without running the constructor (cls.__new__(cls))', () => {
      for (const data of ['(ispec_unpickler\nClassic\n.', '(cspec_unpickler\nClassic\no.']) {
        const got = loads(latin1(data)) as UpClassic;
        expect(got).to.be.instanceOf(UpClassic);
        expect(got.ran).to.equal(undefined);
      }
    });

    it('with arguments: the constructor runs with them', () => {
      for (const data of ['(I1\nVtwo\nispec_unpickler\nClassic\n.', '(cspec_unpickler\nClassic\nI1\nVtwo\no.']) {
        const got = loads(latin1(data)) as UpClassic;
        expect(got.ran).to.equal(true);
        expect(got.args).to.deep.equal([1, 'two']);
      }
    });

    it("a Python 2 pickle: classic instance with a dict state and Python 2 str keys", () => {
      const got = loads(latin1("(ispec_unpickler\nClassic\np0\n(dp1\nS'foo'\np2\nI1\nsS'bar'\np3\nI2\nsb.")) as UpClassic;
      expect(got).to.be.instanceOf(UpClassic);
      expect({ ...got }).to.deep.equal({ foo: 1, bar: 2 });
    });

    it('INST names are ASCII only; an undeclared class is refused', () => {
      expect(() => loads(latin1('(ispec_unpickler\nCl\xe9\n.'))).to.throw(UnpicklingError);
      expect(() => loads(latin1('(ispec_unpickler\nNope\n.'))).to.throw(UnpicklingError, "'spec_unpickler.Nope'");
    });
  });

  describe('Python types mapped to JS', () => {
    it('tuple → frozen Array, frozenset → frozen Set, set → Set, list → Array, dict → object', () => {
      const got = loads(unhex('80025d7100287d710158010000007871024b0173635f5f6275696c74696e5f5f0a66726f7a656e7365740a71035d71044b0161857105527106635f5f6275696c74696e5f5f0a7365740a71075d7108284b014b026585710952710a4b0185710b652e')) as unknown[];
      expectSameGraph(got, [{ x: 1 }, Object.freeze(new Set([1])), new Set([1, 2]), Object.freeze([1])]);
    });

    it('a dict with a non-string key is a Map (keys keep their order and types); all-string keys a plain object', () => {
      const m = loads(unhex('80027d7100284b01580100000061710158010000006271024b02752e')) as Map<unknown, unknown>;
      expect(m).to.be.instanceOf(Map);
      expect([...m]).to.deep.equal([[1, 'a'], ['b', 2]]);
      expect(Object.getPrototypeOf(loads(latin1('(dVa\nI1\ns.')))).to.equal(Object.prototype);
      const viaDict = loads(latin1('(I1\nVa\nVb\nI2\nd.')) as Map<unknown, unknown>;
      expect([...viaDict]).to.deep.equal([[1, 'a'], ['b', 2]]);
    });

    it('a dict holding itself under an int key (CPython bytes) becomes one Map, cycle kept', () => {
      // d = {1: None}; d[2] = d, at protocols 0, 2 and 4.
      for (const hex of ['286470300a49310a4e7349320a67300a732e', '80027d7100284b014e4b026800752e', '8004950c000000000000007d94284b014e4b026800752e']) {
        const m = loads(unhex(hex)) as Map<number, unknown>;
        expect(m.get(2)).to.equal(m);
      }
    });

    it('a dict with an int key reached through another container before that key is set is a Map all the same', () => {
      // As CPython writes them: d = {}; d[1] = [d] / d = {1: 'a'}; d[2] = [d] / t = {}; t[0] = {'parent': t}.
      // The list (or inner dict) holds the dict before its first int key arrives; the loader
      // reads the opcodes again knowing which dicts are Maps.
      const d1 = loads(unhex('80027d71004b015d7101680061732e')) as Map<unknown, unknown[]>;
      expect(d1).to.be.instanceOf(Map);
      expect(d1.get(1)![0]).to.equal(d1);
      const d2 = loads(unhex('80027d7100284b0158010000006171014b025d7102680061752e')) as Map<unknown, unknown>;
      expect([...d2.keys()]).to.deep.equal([1, 2]);
      expect((d2.get(2) as unknown[])[0]).to.equal(d2);
      const t = loads(unhex('80049514000000000000007d944b007d948c06706172656e7494680073732e')) as Map<unknown, { parent: unknown }>;
      expect(t.get(0)!.parent).to.equal(t);
      expect(Object.getPrototypeOf(t.get(0))).to.equal(Object.prototype);
    });

    it('refuses what CPython refuses: decimal int text over 4300 digits, adding to a frozenset, item assignment on bytes, extra arguments', () => {
      expect(() => loads(latin1(`L${'9'.repeat(4301)}L\n.`))).to.throw(UnpicklingError, 'Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits');
      expect(() => loads(latin1(`I${'9'.repeat(4301)}\n.`))).to.throw(UnpicklingError, 'could not convert string to int');
      expect(loads(latin1(`L${'9'.repeat(4300)}L\n.`))).to.equal(10n ** 4300n - 1n);
      expect(loads(latin1(`L0x${'f'.repeat(5000)}L\n.`))).to.equal(16n ** 5000n - 1n);
      expect(() => loads(latin1('\x80\x04(K\x01\x91(K\x02\x90.'))).to.throw(UnpicklingError, "'frozenset' object has no attribute 'add'");
      expect(() => loads(latin1('\x80\x03C\x01aK\x00K\x01s.'))).to.throw(UnpicklingError, 'does not support item assignment');
      expect(() => loads(latin1('\x80\x02c__builtin__\nfrozenset\n]]\x86R.'))).to.throw(UnpicklingError, 'frozenset expected at most 1 argument, got 2');
      expect(() => loads(latin1('c_codecs\nencode\n(Vx\nVlatin1\nI01\ntR.'))).to.throw(UnpicklingError, "only errors='strict'");
      expect(() => loads(latin1('c_codecs\nencode\n(Vx\n(ltR.'))).to.throw(UnpicklingError, 'the encoding must be a str');
    });

    it('loading again replays out-of-band buffers given as an array', () => {
      // protocol 5: d = {}; d[1] = [d, NEXT_BUFFER]
      const data = bytesOf([0x80, 5, 0x7d, 0x94, 0x4b, 1, 0x5d, 0x94, 0x28, 0x68, 0, 0x97, 0x65, 0x73, 0x2e]);
      const buf = new Uint8Array([9]);
      const got = loads(data, { buffers: [buf] }) as Map<unknown, unknown[]>;
      expect(got.get(1)![0]).to.equal(got);
      expect(got.get(1)![1]).to.deep.equal(buf);
    });

    it('collections.OrderedDict → null-prototype object', () => {
      const got = loads(latin1('\x80\x02ccollections\nOrderedDict\n)R(Vb\nK\x01Va\nK\x02u.')) as object;
      expect(Object.getPrototypeOf(got)).to.equal(null);
      expect(Object.keys(got)).to.deep.equal(['b', 'a']);
    });

    it('bytes → Uint8Array and bytearray → ArrayBuffer, including the protocol 0-2 _codecs.encode forms', () => {
      expect(loads(unhex('8002635f5f6275696c74696e5f5f0a6279746561727261790a7100635f636f646563730a656e636f64650a710158020000007879710258060000006c6174696e3171038671045271058571065271072e'))).to.deep.equal(latin1('xy').buffer);
      expect(loads(latin1('c_codecs\nencode\n(V\xff\x00\nVlatin1\ntR.'))).to.deep.equal(latin1('\xff\x00'));
      expect(() => loads(latin1('c_codecs\nencode\n(V\\u0100\nVlatin1\ntR.'))).to.throw(UnpicklingError, 'not latin-1');
    });

    it('datetime.datetime with a UTC offset → the Date of that instant (milliseconds)', () => {
      const plus1 = '80049558000000000000008c086461746574696d65948c086461746574696d65949394430a07e8010203040501e2409468008c0874696d657a6f6e6594939468008c0974696d6564656c74619493944b004d100e4b008794529485945294869452942e';
      expect((loads(unhex(plus1)) as Date).toISOString()).to.equal('2024-01-02T02:04:05.123Z');
      const minus530 = '8002636461746574696d650a6461746574696d650a7100635f636f646563730a656e636f64650a7101580c00000007c3a8010203040501c3a240710258060000006c6174696e317103867104527105636461746574696d650a74696d657a6f6e650a7106636461746574696d650a74696d6564656c74610a71074affffffff4a280401004b0087710852710985710a52710b86710c52710d2e';
      expect((loads(unhex(minus530)) as Date).toISOString()).to.equal('2024-01-02T08:34:05.123Z');
    });

    it('an aware datetime whose offset has microseconds → the instant floored to the millisecond', function () {
      // CPython: datetime(2020, 1, 1, tzinfo=timezone(timedelta(seconds=-1, microseconds=1))), protocol 2.
      const pickled = pyRun<string>(
        'def main(inp): return pickle.dumps(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(seconds=-1, microseconds=1))), 2).hex()',
      );
      expect((loads(unhex(pickled)) as Date).getTime()).to.equal(Date.UTC(2020, 0, 1) + 999);
      const cases = pyRun<[string, number][]>(`
import random
def main(inp):
    rnd = random.Random(11)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    out = []
    while len(out) < 400:
        tz = datetime.timezone(datetime.timedelta(microseconds=rnd.randint(-86399999999, 86399999999)))
        try:
            dt = datetime.datetime(rnd.choice([2, 1969, 2024, 2300, 9998]), rnd.randint(1, 12), rnd.randint(1, 28),
                                   rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999999), tzinfo=tz)
            d = dt - epoch
        except (OverflowError, ValueError):
            continue
        out.append([pickle.dumps(dt, rnd.choice([2, 3, 4, 5])).hex(), ((d.days * 86400 + d.seconds) * 10**6 + d.microseconds) // 1000])
    return out
`);
      for (const [hex, ms] of cases) expect((loads(unhex(hex)) as Date).getTime(), hex).to.equal(ms);
    });

    it("a tuple subclass → the declared Array subclass holding its items (tuple.__new__'s argument), attributes kept", () => {
      class UnpSpecTupSub extends Array<unknown> {
        label?: string;
      }
      defaultRegistry.declare(UnpSpecTupSub, { module: '__main__', name: 'UnpSpecTupSub', isClass: true });
      const hexes = pyRun<string[]>(`
class UnpSpecTupSub(tuple):
    pass
def main(inp):
    import __main__
    __main__.UnpSpecTupSub = UnpSpecTupSub
    UnpSpecTupSub.__module__ = '__main__'
    t = UnpSpecTupSub((1, 'a', (2,)))
    t.label = 'L'
    return [pickle.dumps(t, p).hex() for p in (2, 3, 4, 5)]
`);
      for (const hex of hexes) {
        const v = loads(unhex(hex)) as UnpSpecTupSub;
        expect(v).to.be.instanceOf(UnpSpecTupSub);
        expect(Array.from(v)).to.deep.equal([1, 'a', [2]]);
        expect(v.label).to.equal('L');
      }
    });

    it('builtin exceptions → Error with the Python name; several args kept', () => {
      for (const hex of [
        '800263657863657074696f6e730a56616c75654572726f720a710058090000006261642076616c756571018571025271032e',
        '8004952b000000000000008c086275696c74696e73948c0a56616c75654572726f729493948c096261642076616c756594859452942e',
      ]) {
        const e = loads(unhex(hex)) as Error;
        expect(e).to.be.instanceOf(Error);
        expect(e.name).to.equal('ValueError');
        expect(e.message).to.equal('bad value');
      }
      const two = loads(unhex('80049524000000000000008c086275696c74696e73948c09457863657074696f6e9493948c0161944b02869452942e')) as Error & { args: unknown[] };
      expect(two.args).to.deep.equal(['a', 2]);
    });

    it('READONLY_BUFFER: bytes stay as they are; a bytearray becomes a Uint8Array over the same memory', () => {
      const got = loads(latin1('\x96\x03\x00\x00\x00\x00\x00\x00\x00abc\x98.')) as Uint8Array;
      expect(got).to.be.instanceOf(Uint8Array);
      expect(got.buffer.byteLength).to.equal(3);
      expect(() => loads(latin1('K\x01\x98.'))).to.throw(UnpicklingError, 'bytes-like');
    });
  });

  describe('name resolution', () => {
    it('fix_imports: Python 2 names are mapped below protocol 3; fixImports: false turns it off', () => {
      expect(loads(latin1('c__builtin__\nset\n(]tR.'))).to.deep.equal(new Set());
      expect(() => loads(latin1('c__builtin__\nset\n(]tR.'), { fixImports: false })).to.throw(UnpicklingError, "'__builtin__.set'");
      expect(() => loads(latin1('\x80\x03c__builtin__\nset\n(]tR.'))).to.throw(UnpicklingError, "'__builtin__.set'");
      expect(loads(latin1('ccopy_reg\n_reconstructor\n(c__main__\nPoint\nc__builtin__\nobject\nNtR.'))).to.be.instanceOf(Point);
    });

    it('findClass replaces the allow-list lookup; it gets Python 3 names and serves EXT codes too', () => {
      const asked: string[] = [];
      const findClass = (m: string, n: string): unknown => {
        asked.push(`${m}.${n}`);
        return (...args: unknown[]) => ({ called: `${m}.${n}`, args });
      };
      expect(loads(latin1('c__builtin__\nlen\n(Vabc\ntR.'), { findClass })).to.deep.equal({ called: 'builtins.len', args: ['abc'] });
      expect(asked).to.deep.equal(['builtins.len']);
    });

    it('findClass is asked once per name even when user code makes the loader check names first', () => {
      // A persistent id is the user's code: every later global is resolved before it runs.
      const asked: string[] = [];
      const findClass = (m: string, n: string): unknown => {
        asked.push(`${m}.${n}`);
        return Point;
      };
      const data = latin1('\x80\x02K\x01Qc__main__\nPoint\nq\x00)\x81q\x01\x86.');
      const [pid, point] = loads(data, { persistentLoad: (p) => p, findClass }) as [number, Point];
      expect(pid).to.equal(1);
      expect(point).to.be.instanceOf(Point);
      expect(asked).to.deep.equal(['__main__.Point']);
      // Each GLOBAL gets its own call's answer, as in CPython, even for one name written twice.
      const made: string[] = [];
      const fresh = (m: string, n: string): unknown => {
        made.push(`${m}.${n}`);
        return n === 'C' ? (x: unknown) => ({ c: x }) : () => n;
      };
      const two = latin1('(lp0\ncm\nC\n(I1\ntRacm\nf\nacm\nf\na.');
      const r = loads(two, { findClass: fresh }) as unknown[];
      expect(made).to.deep.equal(['m.C', 'm.f', 'm.f']);
      expect(r[1]).to.not.equal(r[2]);
    });

    it('placeholders keep what CPython wrote: _reconstructor calls at protocols 0-1, a ZoneInfo datetime, a keyword-only __new__', function () {
      const hexes = pyRun<string[]>(`
import collections, zoneinfo
NT = collections.namedtuple('NT', 'a b')
class D(dict): pass
class P:
    def __new__(cls, x):
        return object.__new__(cls)
    def __init__(self, x):
        self.x = x
class K:
    def __new__(cls, *, x):
        o = object.__new__(cls)
        o.x = x
        return o
    def __getnewargs_ex__(self): return ((), {'x': self.x})
def main(inp):
    import __main__
    __main__.NT, __main__.D, __main__.K, __main__.P = NT, D, K, P
    NT.__module__ = D.__module__ = K.__module__ = K.__new__.__module__ = P.__module__ = '__main__'
    v = [NT(1, 2), D(a=1), datetime.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')), P(3)]
    return [pickle.dumps(v + ([K(x=5)] if p >= 2 else []), p).hex() for p in range(6)]
`);
      for (const [p, hex] of hexes.entries()) {
        const data = unhex(hex);
        const v = loads(data, { placeholders: true }) as unknown[];
        expect(v.every((x) => x instanceof PyObject), `protocol ${p}`).to.equal(true);
        // Written back, the same bytes (below protocol 4; from 4 on, the framing may differ).
        if (p < 4) expect(toHex(dumps(v, { protocol: p })), `protocol ${p}`).to.equal(hex);
      }
      expect(() => loads(unhex(hexes[2]!))).to.throw(UnpicklingError, 'forbidden');
    });

    it('placeholders: unknown globals load as PyGlobal / PyObject, and dump back to the same bytes', () => {
      for (const v of VECTORS.filter((x) => ['ellipsis', 'notimplemented', 'type_nonetype', 'type_int', 'builtin_len', 'range_5'].includes(x.name))) {
        const data = unhex(v.hex!);
        const got = loads(data, { placeholders: true });
        expect(got instanceof PyGlobal || got instanceof PyObject, v.name).to.equal(true);
        expect(toHex(dumps(got, { protocol: v.protocol })), `${v.name} at protocol ${v.protocol}`).to.equal(v.hex);
      }
    });

    it("a nested class (Outer.Inner): CPython's getattr(module.Outer, 'Inner') below protocol 4 reaches the declared name", () => {
      class UnpSpecInner {
        v = 0;
      }
      defaultRegistry.declare(UnpSpecInner, { module: 'unp_geo', name: 'Outer.Inner', isClass: true });
      // CPython 3.11: pickle.dumps(unp_geo.Outer.Inner(7), p) for a class Outer with a nested class Inner.
      const cpython: Record<number, string> = {
        0: '63636f70795f7265670a5f7265636f6e7374727563746f720a70300a28635f5f6275696c74696e5f5f0a676574617474720a70310a28637' +
          '56e705f67656f0a4f757465720a70320a56496e6e65720a70330a7470340a5270350a635f5f6275696c74696e5f5f0a6f626a6563740a' +
          '70360a4e7470370a5270380a286470390a56760a7031300a49370a73622e',
        2: '8002635f5f6275696c74696e5f5f0a676574617474720a710063756e705f67656f0a4f757465720a71015805000000496e6e65727102867103527104298171057d710658010000007671074b0773622e',
        3: '8003636275696c74696e730a676574617474720a710063756e705f67656f0a4f757465720a71015805000000496e6e65727102867103527104298171057d710658010000007671074b0773622e',
      };
      const x = Object.assign(new UnpSpecInner(), { v: 7 });
      for (const [p, hex] of Object.entries(cpython)) {
        const y = loads(unhex(hex)) as UnpSpecInner;
        expect(y, `protocol ${p}`).to.be.instanceOf(UnpSpecInner);
        expect(y.v).to.equal(7);
        expect(toHex(dumps(x, { protocol: Number(p) }))).to.equal(hex);
      }
      for (const protocol of [0, 1, 2, 3, 4, 5]) expect(loads(dumps([x, x], { protocol }))).to.deep.equal([x, x]);
      // Another name under Outer is refused; Outer alone, only a way to its declared members, is inert.
      expect(() => loads(unhex(cpython[2]!.replace('496e6e6572', '4576696c21')))).to.throw(UnpicklingError, "global 'unp_geo.Outer.Evil!' is forbidden");
      const outer = loads(unhex('800263756e705f67656f0a4f757465720a71002e'));
      expect(outer).to.be.instanceOf(PyGlobal);
      expect([(outer as PyGlobal).module, (outer as PyGlobal).name]).to.deep.equal(['unp_geo', 'Outer']);
      expect(() => loads(unhex('800263756e705f67656f0a4f757465720a29522e'))).to.throw(UnpicklingError);
    });

    it('a persistent id needs persistentLoad; PERSID passes the text, BINPERSID the object', () => {
      expect(() => loads(latin1('Pabc\n.'))).to.throw(UnpicklingError, 'persistent_load');
      expect(loads(latin1('Pabc\n.'), { persistentLoad: (pid) => ({ pid }) })).to.deep.equal({ pid: 'abc' });
      expect(loads(latin1('K\x07Q.'), { persistentLoad: (pid) => [pid] })).to.deep.equal([7]);
      class WithHook extends Unpickler {
        override persistentLoad(pid: unknown): unknown {
          return `hook:${String(pid)}`;
        }
      }
      expect(new WithHook(latin1('Px\n.')).load()).to.equal('hook:x');
    });

    it('a protocol 0 persistent id must be ASCII, as CPython decodes it (test_protocol0_is_ascii_only)', () => {
      const bytes = Buffer.from('P\u2205\n.', 'utf8');
      expect(() => loads(bytes, { persistentLoad: (pid) => pid })).to.throw(
        UnpicklingError,
        'persistent IDs in protocol 0 must be ASCII strings',
      );
      expect(loads(latin1('P\x7f\n.'), { persistentLoad: (pid) => pid })).to.equal('\x7f');
    });
  });

  describe('types', () => {
    it("loads and Unpickler.load return any (Python's Any), or the type asked for", () => {
      // This spec is type-checked: each line below would not compile with an `unknown` result.
      const point: { x: number } = loads(dumps({ x: 1 }));
      const x: number = loads(dumps({ x: 2 })).x;
      const list = loads<number[]>(dumps([1, 2]));
      const again: string = new Unpickler(dumps('s')).load();
      expect([point.x, x, list.length, again]).to.deep.equal([1, 2, 2, 's']);
    });
  });

  describe('out-of-band buffers (NEXT_BUFFER)', () => {
    it('buffers are consumed in order and returned as given; a PickleBuffer gives its view', () => {
      const a = latin1('a');
      const pb = new PickleBuffer(latin1('b'), false);
      const got = loads(latin1('\x80\x05(\x97\x97\x97\x98l.'), { buffers: new Set<unknown>([a, pb, latin1('c')]) }) as unknown[];
      expect(got[0]).to.equal(a);
      expect(got[1]).to.equal(pb.view);
      expect(got[2]).to.deep.equal(latin1('c'));
    });

    it('no buffers, or too few: UnpicklingError; buffers that are not iterable: TypeError up front', () => {
      expect(() => loads(latin1('\x80\x05\x97.'))).to.throw(UnpicklingError, 'no *buffers* argument');
      expect(() => loads(latin1('\x80\x05\x97\x97l.'), { buffers: [latin1('a')] })).to.throw(UnpicklingError, 'not enough out-of-band buffers');
      expect(() => loads(latin1('\x80\x05\x97.'), { buffers: 5 as never })).to.throw(TypeError);
    });
  });

  describe('frames and streams', () => {
    it('frames are optional: every protocol 4-5 vector loads the same with its FRAMEs removed', () => {
      for (const v of VECTORS.filter((x) => x.hex !== null && x.protocol >= 4 && x.setup === undefined)) {
        const data = unhex(v.hex!);
        const options = { placeholders: true, persistentLoad: (p: unknown) => p, buffers: (v.buffers_hex ?? []).map(unhex) };
        const want = loads(data, options);
        const bare = stripFrames(data);
        expectSameGraph(loads(bare, { ...options, buffers: (v.buffers_hex ?? []).map(unhex) }), want);
      }
    });

    it('a frame that ends mid-pickle and continues unframed is fine; a FRAME longer than the data is not', () => {
      expect(loads(latin1('\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00]\x94K\x01a.'))).to.deep.equal([1]);
      expect(() => loads(latin1('\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.'))).to.throw(UnpicklingError, 'truncated');
    });

    it('load() reads one pickle and stops after its STOP; the next load() reads the next, sharing the memo', () => {
      const shared = { s: 1 };
      const data = bytesOf(dumps([shared], { protocol: 2 }), latin1('\x80\x02h\x01.'), dumps('tail', { protocol: 0 }));
      const u = new Unpickler(data);
      const first = u.load() as unknown[];
      expect(u.load()).to.equal(first[0]);
      expect(u.load()).to.equal('tail');
      expect(() => u.load()).to.throw(UnpicklingError, 'Ran out of input');
    });

    it('PROTO above 5 is refused; PROTO may repeat or be lower', () => {
      expect(() => loads(latin1('\x80\x06N.'))).to.throw(UnpicklingError, 'unsupported pickle protocol: 6');
      expect(loads(latin1('\x80\x05\x80\x02\x80\x00N.'))).to.equal(null);
    });

    it('the data is any bytes-like object (Uint8Array, Buffer, ArrayBuffer, views), as in CPython', () => {
      expect(() => loads('N.' as never)).to.throw(TypeError, 'a bytes-like object is required');
      expect(() => loads([0x4e, 0x2e] as never)).to.throw(TypeError, 'a bytes-like object is required');
      expect(() => loads(null as never)).to.throw(TypeError, 'a bytes-like object is required');
      expect(loads(Buffer.from('N.', 'latin1'))).to.equal(null);
      const bytes = dumps({ a: [1, 'x'] }, { protocol: 5 });
      const padded = new Uint8Array(bytes.length + 6);
      padded.set(bytes, 3);
      expect(loads(bytes.slice().buffer)).to.deep.equal({ a: [1, 'x'] });
      expect(loads(new DataView(padded.buffer, 3, bytes.length))).to.deep.equal({ a: [1, 'x'] });
      expect(loads(new Int8Array(padded.buffer, 3, bytes.length))).to.deep.equal({ a: [1, 'x'] });
      const shared = new SharedArrayBuffer(bytes.length);
      new Uint8Array(shared).set(bytes);
      expect(loads(shared)).to.deep.equal({ a: [1, 'x'] });
      expect(dis(bytes.slice().buffer)).to.equal(dis(bytes));
    });
  });
});
