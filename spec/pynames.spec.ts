// Python 2 <-> 3 global names (lib/pynames.ts): py3Name as CPython's find_class applies
// fix_imports on load, py2Name as save_global applies it at protocols 0-2, checked entry by entry
// against CPython's _compat_pickle for every name the module keeps.
import { expect } from 'chai';

import { py2Name, py3Name } from '../lib/pynames';
import { pyRun } from './helpers/python';

type Pair = [string, string];

/** CPython's answer for each pair: [find_class mapping, save_global mapping]. */
function cpython(pairs: readonly Pair[]): { load: Pair[]; save: Pair[] } {
  return pyRun<{ load: Pair[]; save: Pair[] }>(
    `
import _compat_pickle as c
def load(m, n):
    if (m, n) in c.NAME_MAPPING: return list(c.NAME_MAPPING[(m, n)])
    return [c.IMPORT_MAPPING.get(m, m), n]
def save(m, n):
    if (m, n) in c.REVERSE_NAME_MAPPING: return list(c.REVERSE_NAME_MAPPING[(m, n)])
    return [c.REVERSE_IMPORT_MAPPING.get(m, m), n]
def main(inp):
    return {'load': [load(m, n) for m, n in inp], 'save': [save(m, n) for m, n in inp]}
`,
    pairs,
  );
}

describe('pynames', () => {
  describe('py3Name', () => {
    it('maps the Python 2 builtins and copy_reg names that protocol 0-2 pickles use', () => {
      expect(py3Name('__builtin__', 'set')).to.deep.equal(['builtins', 'set']);
      expect(py3Name('copy_reg', '_reconstructor')).to.deep.equal(['copyreg', '_reconstructor']);
      expect(py3Name('__builtin__', 'xrange')).to.deep.equal(['builtins', 'range']);
      expect(py3Name('__builtin__', 'unicode')).to.deep.equal(['builtins', 'str']);
      expect(py3Name('__builtin__', 'reduce')).to.deep.equal(['functools', 'reduce']);
      expect(py3Name('exceptions', 'ValueError')).to.deep.equal(['builtins', 'ValueError']);
      expect(py3Name('exceptions', 'StandardError')).to.deep.equal(['builtins', 'Exception']);
    });

    it('applies load-only module and name renames', () => {
      expect(py3Name('cPickle', 'loads')).to.deep.equal(['pickle', 'loads']);
      expect(py3Name('StringIO', 'StringIO')).to.deep.equal(['io', 'StringIO']);
      expect(py3Name('__builtin__', 'basestring')).to.deep.equal(['builtins', 'str']);
      expect(py3Name('UserDict', 'UserDict')).to.deep.equal(['collections', 'UserDict']);
      // Load-only: saving the Python 3 name does not give the Python 2 one back.
      expect(py2Name('builtins', 'str')).to.deep.equal(['__builtin__', 'unicode']);
    });

    it('leaves unknown names, Python 3 names and Object.prototype keys as they are', () => {
      expect(py3Name('collections', 'OrderedDict')).to.deep.equal(['collections', 'OrderedDict']);
      expect(py3Name('builtins', 'set')).to.deep.equal(['builtins', 'set']);
      expect(py3Name('my_models', 'Point')).to.deep.equal(['my_models', 'Point']);
      expect(py3Name('__builtin__', 'not_a_builtin')).to.deep.equal(['builtins', 'not_a_builtin']);
      for (const m of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        expect(py3Name(m, 'x'), m).to.deep.equal([m, 'x']);
      }
    });
  });

  describe('py2Name', () => {
    it('maps Python 3 names to those CPython writes for Python 2', () => {
      expect(py2Name('builtins', 'set')).to.deep.equal(['__builtin__', 'set']);
      expect(py2Name('copyreg', '_reconstructor')).to.deep.equal(['copy_reg', '_reconstructor']);
      expect(py2Name('builtins', 'range')).to.deep.equal(['__builtin__', 'xrange']);
      expect(py2Name('functools', 'reduce')).to.deep.equal(['__builtin__', 'reduce']);
      expect(py2Name('builtins', 'ValueError')).to.deep.equal(['exceptions', 'ValueError']);
      expect(py2Name('xmlrpc.client', 'Fault')).to.deep.equal(['xmlrpclib', 'Fault']);
    });

    it('applies save-only renames: OSError subclasses, ModuleNotFoundError, C accelerator modules', () => {
      expect(py2Name('builtins', 'FileNotFoundError')).to.deep.equal(['exceptions', 'OSError']);
      expect(py2Name('builtins', 'TimeoutError')).to.deep.equal(['exceptions', 'OSError']);
      expect(py2Name('builtins', 'ModuleNotFoundError')).to.deep.equal(['exceptions', 'ImportError']);
      expect(py2Name('_functools', 'reduce')).to.deep.equal(['__builtin__', 'reduce']);
      expect(py2Name('_pickle', 'PickleError')).to.deep.equal(['pickle', 'PickleError']);
      // Save-only: loading the Python 2 name gives the base class, not the subclass.
      expect(py3Name('exceptions', 'OSError')).to.deep.equal(['builtins', 'OSError']);
    });

    it('leaves unknown names and Object.prototype keys as they are', () => {
      expect(py2Name('collections', 'OrderedDict')).to.deep.equal(['collections', 'OrderedDict']);
      expect(py2Name('my_models', 'Point')).to.deep.equal(['my_models', 'Point']);
      for (const m of ['__proto__', 'constructor', 'valueOf']) {
        expect(py2Name(m, 'x'), m).to.deep.equal([m, 'x']);
      }
    });

    it('round-trips every two-way rename back through py3Name', () => {
      const py3: Pair[] = [
        ['builtins', 'range'], ['builtins', 'chr'], ['builtins', 'int'], ['sys', 'intern'],
        ['builtins', 'zip'], ['itertools', 'filterfalse'], ['collections', 'UserList'],
        ['builtins', 'KeyError'], ['queue', 'Queue'], ['http.client', 'HTTPConnection'],
        ['collections.abc', 'Mapping'], ['urllib.parse', 'urlsplit'],
      ];
      for (const [m, n] of py3) expect(py3Name(...py2Name(m, n)), `${m}.${n}`).to.deep.equal([m, n]);
    });
  });

  describe('against CPython _compat_pickle', () => {
    it('agrees on the kept module and name mappings in both directions', () => {
      const modules = [
        '__builtin__', 'copy_reg', 'Queue', 'SocketServer', 'ConfigParser', 'repr', 'markupbase',
        '_winreg', 'thread', 'dummy_thread', 'xmlrpclib', 'httplib', 'htmlentitydefs', 'HTMLParser',
        'Cookie', 'cookielib', 'BaseHTTPServer', 'commands', 'urlparse', 'robotparser', 'urllib2',
        'anydbm', '_abcoll', 'cPickle', '_elementtree', 'UserDict', 'UserList', 'UserString',
        'whichdb', 'StringIO', 'cStringIO',
        'builtins', 'copyreg', 'queue', 'socketserver', 'configparser', 'reprlib', '_markupbase',
        'winreg', '_thread', '_dummy_thread', 'xmlrpc.client', 'http.client', 'html.entities',
        'html.parser', 'http.cookies', 'http.cookiejar', 'http.server', 'subprocess',
        'urllib.parse', 'urllib.robotparser', 'urllib.request', 'dbm', 'collections.abc', 'pickle',
        '_bz2', '_dbm', '_functools', '_gdbm', '_pickle', 'collections', 'io', 'my_models',
      ];
      const pairs: Pair[] = modules.map((m): Pair => [m, 'SomeName']);
      pairs.push(
        ['__builtin__', 'xrange'], ['__builtin__', 'reduce'], ['__builtin__', 'intern'],
        ['__builtin__', 'unichr'], ['__builtin__', 'unicode'], ['__builtin__', 'long'],
        ['__builtin__', 'basestring'], ['itertools', 'izip'], ['itertools', 'imap'],
        ['itertools', 'ifilter'], ['itertools', 'ifilterfalse'], ['itertools', 'izip_longest'],
        ['UserDict', 'IterableUserDict'], ['UserDict', 'UserDict'], ['UserList', 'UserList'],
        ['UserString', 'UserString'], ['whichdb', 'whichdb'], ['exceptions', 'StandardError'],
        ['builtins', 'range'], ['functools', 'reduce'], ['sys', 'intern'], ['builtins', 'chr'],
        ['builtins', 'str'], ['builtins', 'int'], ['builtins', 'zip'], ['builtins', 'map'],
        ['builtins', 'filter'], ['itertools', 'filterfalse'], ['itertools', 'zip_longest'],
        ['collections', 'UserDict'], ['collections', 'UserList'], ['collections', 'UserString'],
        ['dbm', 'whichdb'], ['_functools', 'reduce'], ['builtins', 'ModuleNotFoundError'],
      );
      for (const e of [
        'ArithmeticError', 'BaseException', 'EOFError', 'IOError', 'KeyError', 'OSError',
        'StopIteration', 'UnicodeDecodeError', 'ValueError', 'ZeroDivisionError', 'Warning',
      ]) {
        pairs.push(['exceptions', e], ['builtins', e]);
      }
      for (const e of ['BrokenPipeError', 'ConnectionError', 'FileExistsError', 'PermissionError', 'TimeoutError']) {
        pairs.push(['builtins', e]);
      }
      const py = cpython(pairs);
      pairs.forEach(([m, n], i) => {
        // Python 2's own `dbm` module (dbm.ndbm in Python 3) is not among the kept load mappings.
        if (m !== 'dbm') expect(py3Name(m, n), `load ${m}.${n}`).to.deep.equal(py.load[i]);
        expect(py2Name(m, n), `save ${m}.${n}`).to.deep.equal(py.save[i]);
      });
    });
  });
});
