/**
 * Python 2 ↔ Python 3 global names, as CPython's `fix_imports` applies them: a pickle written at
 * protocol 0-2 names `__builtin__.set` and `copy_reg._reconstructor` so that Python 2 can read it,
 * and a loader maps those names back. Only the entries that stdlib pickles actually use are kept.
 */

/** Python 2 module → Python 3 module. */
const MODULES_2TO3: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  markupbase: '_markupbase',
  _winreg: 'winreg',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  xmlrpclib: 'xmlrpc.client',
  httplib: 'http.client',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  commands: 'subprocess',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  anydbm: 'dbm',
  _abcoll: 'collections.abc',
};

/** Python 2 modules that only map one way (load only). */
const MODULES_2TO3_LOAD_ONLY: Readonly<Record<string, string>> = {
  cPickle: 'pickle',
  _elementtree: 'xml.etree.ElementTree',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  whichdb: 'dbm',
  StringIO: 'io',
  cStringIO: 'io',
};

/** Python 3 modules that only map one way (save only). */
const MODULES_3TO2_SAVE_ONLY: Readonly<Record<string, string>> = {
  _bz2: 'bz2',
  _dbm: 'dbm',
  _functools: 'functools',
  _gdbm: 'gdbm',
  _pickle: 'pickle',
};

/** Exceptions that lived in Python 2's `exceptions` module. */
const PY2_EXCEPTIONS = [
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BufferError',
  'BytesWarning', 'DeprecationWarning', 'EOFError', 'EnvironmentError', 'Exception',
  'FloatingPointError', 'FutureWarning', 'GeneratorExit', 'IOError', 'ImportError',
  'ImportWarning', 'IndentationError', 'IndexError', 'KeyError', 'KeyboardInterrupt',
  'LookupError', 'MemoryError', 'NameError', 'NotImplementedError', 'OSError', 'OverflowError',
  'PendingDeprecationWarning', 'ReferenceError', 'RuntimeError', 'RuntimeWarning',
  'StopIteration', 'SyntaxError', 'SyntaxWarning', 'SystemError', 'SystemExit', 'TabError',
  'TypeError', 'UnboundLocalError', 'UnicodeDecodeError',
  'UnicodeEncodeError', 'UnicodeError', 'UnicodeTranslateError', 'UnicodeWarning', 'UserWarning',
  'ValueError', 'Warning', 'ZeroDivisionError',
];

type Pair = readonly [string, string];

/** (module, name) renames, Python 2 → Python 3, that map both ways. */
const NAMES_2TO3: readonly (readonly [Pair, Pair])[] = [
  [['__builtin__', 'xrange'], ['builtins', 'range']],
  [['__builtin__', 'reduce'], ['functools', 'reduce']],
  [['__builtin__', 'intern'], ['sys', 'intern']],
  [['__builtin__', 'unichr'], ['builtins', 'chr']],
  [['__builtin__', 'unicode'], ['builtins', 'str']],
  [['__builtin__', 'long'], ['builtins', 'int']],
  [['itertools', 'izip'], ['builtins', 'zip']],
  [['itertools', 'imap'], ['builtins', 'map']],
  [['itertools', 'ifilter'], ['builtins', 'filter']],
  [['itertools', 'ifilterfalse'], ['itertools', 'filterfalse']],
  [['itertools', 'izip_longest'], ['itertools', 'zip_longest']],
  [['UserDict', 'IterableUserDict'], ['collections', 'UserDict']],
  [['UserList', 'UserList'], ['collections', 'UserList']],
  [['UserString', 'UserString'], ['collections', 'UserString']],
  [['whichdb', 'whichdb'], ['dbm', 'whichdb']],
  ...PY2_EXCEPTIONS.map((e): readonly [Pair, Pair] => [['exceptions', e], ['builtins', e]]),
];

/** Renames used only when loading. */
const NAMES_2TO3_LOAD_ONLY: readonly (readonly [Pair, Pair])[] = [
  [['__builtin__', 'basestring'], ['builtins', 'str']],
  [['exceptions', 'StandardError'], ['builtins', 'Exception']],
  [['UserDict', 'UserDict'], ['collections', 'UserDict']],
];

/** Renames used only when saving. */
const NAMES_3TO2_SAVE_ONLY: readonly (readonly [Pair, Pair])[] = [
  [['_functools', 'reduce'], ['__builtin__', 'reduce']],
  ...[
    'BrokenPipeError', 'ChildProcessError', 'ConnectionAbortedError', 'ConnectionError',
    'ConnectionRefusedError', 'ConnectionResetError', 'FileExistsError', 'FileNotFoundError',
    'InterruptedError', 'IsADirectoryError', 'NotADirectoryError', 'PermissionError',
    'ProcessLookupError', 'TimeoutError',
  ].map((e): readonly [Pair, Pair] => [['builtins', e], ['exceptions', 'OSError']]),
  [['builtins', 'ModuleNotFoundError'], ['exceptions', 'ImportError']],
];

function key(p: Pair): string {
  return p[0] + '\u0000' + p[1];
}

const LOAD_NAMES = new Map<string, Pair>(
  [...NAMES_2TO3, ...NAMES_2TO3_LOAD_ONLY].map(([py2, py3]) => [key(py2), py3]),
);
const SAVE_NAMES = new Map<string, Pair>([
  ...NAMES_2TO3.map(([py2, py3]): [string, Pair] => [key(py3), py2]),
  ...NAMES_3TO2_SAVE_ONLY.map(([py3, py2]): [string, Pair] => [key(py3), py2]),
]);
const LOAD_MODULES: Readonly<Record<string, string>> = { ...MODULES_2TO3, ...MODULES_2TO3_LOAD_ONLY };
const SAVE_MODULES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(MODULES_2TO3).map(([k, v]) => [v, k])),
  ...MODULES_3TO2_SAVE_ONLY,
};

/**
 * Maps a global named in a protocol 0-2 pickle to its Python 3 name (CPython's find_class with
 * `fix_imports`).
 *
 * @param module The module as written.
 * @param name The name as written.
 * @returns The Python 3 `[module, name]`.
 */
export function py3Name(module: string, name: string): Pair {
  const renamed = LOAD_NAMES.get(module + '\u0000' + name);
  if (renamed !== undefined) return renamed;
  const m = Object.prototype.hasOwnProperty.call(LOAD_MODULES, module) ? LOAD_MODULES[module] : undefined;
  return m !== undefined ? [m, name] : [module, name];
}

/**
 * Maps a Python 3 global to the name CPython writes at protocol 0-2 with `fix_imports`.
 *
 * @param module The Python 3 module.
 * @param name The name.
 * @returns The Python 2 `[module, name]`.
 */
export function py2Name(module: string, name: string): Pair {
  const renamed = SAVE_NAMES.get(module + '\u0000' + name);
  if (renamed !== undefined) return renamed;
  const m = Object.prototype.hasOwnProperty.call(SAVE_MODULES, module) ? SAVE_MODULES[module] : undefined;
  return m !== undefined ? [m, name] : [module, name];
}
