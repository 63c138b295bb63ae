/**
 * lib/codecs.ts: Python's 8-bit codecs for Python 2 `str` payloads (`loads(…, { encoding })`),
 * checked byte for byte against python3's own codecs, with every error handler.
 */
import { expect } from 'chai';
import { charmapTable, decodeCharmap } from '../lib/codecs';
import { loads, UnpicklingError } from '../lib/index';
import { pyRun } from './helpers/python';

const CODECS = ['cp1250', 'cp1252', 'cp1253', 'cp1255', 'cp874', 'cp437', 'cp866', 'koi8_r', 'mac_roman', 'iso8859_3', 'iso8859_16'];
const HANDLERS = ['strict', 'replace', 'ignore', 'surrogateescape', 'backslashreplace'];

/** A SHORT_BINSTRING pickle (protocol 2) of `bytes`. */
function py2str(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([0x80, 2, 0x55, bytes.length, ...bytes, 0x2e]);
}

describe('codecs', () => {
  it('every byte of each codec decodes as in CPython, undefined ones included', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const replies = pyRun<(number | null)[][]>(
      `
def main(inp):
    out = []
    for name in inp:
        row = []
        for b in range(256):
            try:
                row.append(ord(bytes([b]).decode(name)))
            except UnicodeDecodeError:
                row.append(None)
        out.append(row)
    return out
`,
      CODECS,
    );
    for (const [i, name] of CODECS.entries()) {
      const table = charmapTable(name);
      expect(table, name).to.be.a('string');
      const ours = Array.from(all, (b) => {
        const text = decodeCharmap(Uint8Array.of(b), table!, (_o, _s, end) => ['\uffff', end]);
        return text === '\uffff' ? null : text.charCodeAt(0);
      });
      expect(ours, name).to.deep.equal(replies[i]);
    }
  });

  it('loads Python 2 str with each codec and error handler as CPython does (random bytes)', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const cases = CODECS.flatMap((codec) =>
      HANDLERS.map((errors) => [codec, errors, Buffer.from(Array.from({ length: 24 }, next)).toString('hex')] as const),
    );
    const replies = pyRun<[string, string | null][]>(
      `
def main(inp):
    out = []
    for codec, errors, hx in inp:
        b = unhex(hx)
        try:
            out.append(['ok', pickle.loads(b'\\x80\\x02U' + bytes([len(b)]) + b + b'.', encoding=codec, errors=errors)])
        except UnicodeDecodeError:
            out.append(['error', None])
    return out
`,
      cases,
    );
    let strictErrors = 0;
    for (const [i, [codec, errors, hex]] of cases.entries()) {
      const data = py2str(Buffer.from(hex, 'hex'));
      const [status, text] = replies[i]!;
      if (status === 'ok') {
        expect(loads(data, { encoding: codec, errors }), `${codec} ${errors}`).to.equal(text);
      } else {
        strictErrors++;
        expect(() => loads(data, { encoding: codec, errors }), `${codec} ${errors}`).to.throw(UnpicklingError, "'charmap' codec can't decode byte");
      }
    }
    expect(strictErrors, 'some codecs leave bytes undefined').to.be.greaterThan(0);
  });

  it("accepts Python's aliases and spellings, and an empty str in any codec (test_empty_bytestring)", () => {
    const empty = Uint8Array.from(Buffer.from('8003550071002e', 'hex')); // PROTO 3, SHORT_BINSTRING '', BINPUT, STOP
    expect(loads(empty, { encoding: 'koi8-r' })).to.equal('');
    for (const alias of ['KOI8-R', 'koi8_r', 'cp1252', 'windows-1252', 'latin2', 'L2', 'ISO-8859-15', 'macroman']) {
      expect(charmapTable(alias), alias).to.be.a('string');
    }
    expect(loads(py2str(Uint8Array.of(0xc1)), { encoding: 'KOI8-R' })).to.equal('а');
    expect(charmapTable('shift_jis')).to.equal(undefined);
    expect(() => loads(py2str(Uint8Array.of(0x41)), { encoding: 'shift_jis' })).to.throw(UnpicklingError, 'unknown encoding: shift_jis');
  });
});
