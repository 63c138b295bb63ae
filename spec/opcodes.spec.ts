import { execFileSync } from 'node:child_process';

import { expect } from 'chai';

import {
  DEFAULT_PROTOCOL,
  HIGHEST_PROTOCOL,
  OP,
  OPCODE_BY_BYTE,
  OPCODE_INFO,
  type OpcodeName,
} from '../lib/opcodes';

interface PythonOpcode {
  name: string;
  code: number;
  arg: string;
  before: string[];
  after: string[];
  proto: number;
  inPickle: number | null;
}

// CPython's own view of the opcodes: pickletools' table plus the constants in pickle.py.
const PYTHON = `
import json, pickle, pickletools
print(json.dumps({
    'highest': pickle.HIGHEST_PROTOCOL,
    'opcodes': [{
        'name': op.name,
        'code': ord(op.code),
        'arg': op.arg.name if op.arg else 'none',
        'before': [s.name for s in op.stack_before],
        'after': [s.name for s in op.stack_after],
        'proto': op.proto,
        'inPickle': getattr(pickle, op.name)[0] if hasattr(pickle, op.name) else None,
    } for op in pickletools.opcodes],
}))
`;

describe('opcodes', () => {
  let python: { highest: number; opcodes: PythonOpcode[] };

  before(() => {
    python = JSON.parse(execFileSync('python3', ['-c', PYTHON], { encoding: 'utf8' })) as {
      highest: number;
      opcodes: PythonOpcode[];
    };
  });

  describe('OP', () => {
    it('has the 68 opcodes with distinct bytes', () => {
      const codes = Object.values(OP);
      expect(codes).to.have.length(68);
      expect(new Set(codes).size).to.equal(68);
    });

    it("uses CPython's names and bytes (pickle.py constants)", () => {
      const fromPython = Object.fromEntries(python.opcodes.map((op) => [op.name, op.inPickle]));
      expect(OP).to.deep.equal(fromPython);
    });
  });

  describe('OPCODE_INFO', () => {
    it('has one row per opcode, in step with OP', () => {
      expect(OPCODE_INFO).to.have.length(68);
      for (const info of OPCODE_INFO) expect(info.code, info.name).to.equal(OP[info.name]);
      expect(new Set(OPCODE_INFO.map((info) => info.name)).size).to.equal(68);
    });

    it("agrees with pickletools on argument kind, stack effect and protocol", () => {
      const ours = OPCODE_INFO.map((info) => ({
        name: info.name,
        code: info.code,
        arg: info.arg,
        before: [...info.stackBefore],
        after: [...info.stackAfter],
        proto: info.proto,
      }));
      const theirs = python.opcodes.map(({ inPickle, ...rest }) => {
        expect(inPickle).to.equal(rest.code);
        return rest;
      });
      const byName = (a: { name: string }, b: { name: string }): number =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      expect(ours.sort(byName)).to.deep.equal(theirs.sort(byName));
    });

    it('flags exactly the opcodes that consume or push a MARK', () => {
      const pops = OPCODE_INFO.filter((info) => info.popsMark).map((info) => info.name);
      expect(pops.sort()).to.deep.equal(
        ['ADDITEMS', 'APPENDS', 'DICT', 'FROZENSET', 'INST', 'LIST', 'OBJ', 'POP_MARK',
          'SETITEMS', 'TUPLE'].sort(),
      );
      const pushes = OPCODE_INFO.filter((info) => info.pushesMark).map((info) => info.name);
      expect(pushes).to.deep.equal(['MARK']);
    });

    it('gives every opcode a one-line doc', () => {
      for (const info of OPCODE_INFO) {
        expect(info.doc, info.name).to.match(/^[^\n]{8,80}$/);
      }
    });
  });

  describe('OPCODE_BY_BYTE', () => {
    it('maps each opcode byte to its row and every other byte to undefined', () => {
      expect(OPCODE_BY_BYTE).to.have.length(256);
      for (let byte = 0; byte < 256; byte++) {
        const info = OPCODE_BY_BYTE[byte];
        const name = (Object.keys(OP) as OpcodeName[]).find((key) => OP[key] === byte);
        if (name === undefined) expect(info, `byte ${byte}`).to.equal(undefined);
        else expect(info?.name).to.equal(name);
      }
    });
  });

  describe('protocol constants', () => {
    it('HIGHEST_PROTOCOL matches CPython', () => {
      expect(HIGHEST_PROTOCOL).to.equal(python.highest);
    });

    it('DEFAULT_PROTOCOL is the highest protocol, as in CPython 3.14', () => {
      expect(DEFAULT_PROTOCOL).to.equal(5);
    });
  });
});
