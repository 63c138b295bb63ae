"""copyreg_js: the Python side of the JavaScript-only values in pickles written by the `copyreg`
npm package.

`dumps` in JavaScript writes values that Python has a type for with Python's own names (list,
dict, set, bytes, datetime.datetime, ...). Values that only JavaScript has are written as
reductions of globals in a module named ``copyreg_js``: ``copyreg_js.undefined``,
``copyreg_js.RegExp(source, flags)``, ``copyreg_js.Float64Array(buffer, byteOffset, length)`` and
so on. Put this file on ``sys.path`` and CPython can load such pickles, inspect the values, and
pickle them again: every class here reduces to exactly the call it was loaded from, so a pickle
goes JavaScript -> Python -> JavaScript and comes back equal, sharing included (two typed arrays
over one ArrayBuffer still share one buffer).

Pure Python, standard library only, no import-time side effects beyond defining names.

    >>> import pickle, copyreg_js
    >>> v = pickle.loads(data_from_js)
    >>> v['pattern']
    RegExp('a+b', 'gi')
    >>> v['samples'].tolist()
    [1.5, 2.0]
"""

import array as _array
import builtins as _builtins
import datetime as _datetime

from reprlib import recursive_repr

__all__ = [
    'undefined', 'hole', 'Array', 'Map', 'Set', 'Date', 'RegExp', 'Symbol',
    'Number', 'String', 'Boolean', 'BigInt',
    'DataView', 'TypedArray', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
    'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
    'BigInt64Array', 'BigUint64Array',
    'Error', 'TypeError', 'SyntaxError', 'RangeError', 'ReferenceError', 'EvalError', 'URIError',
    'AggregateError',
]


def _state(obj):
    """The JS own properties (BUILD state) of a value, or None when it has none."""
    d = getattr(obj, '__dict__', None)
    return dict(d) if d else None


# --- undefined and array holes ------------------------------------------------------------------

class _Singleton:
    """A JS value that exists once: pickled by reference, falsy, copied as itself."""

    __slots__ = ('_name',)

    def __init__(self, name):
        self._name = name

    def __reduce__(self):
        return self._name

    def __repr__(self):
        return self._name

    def __bool__(self):
        return False

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


#: JavaScript's ``undefined`` (``None`` is JavaScript's ``null``).
undefined = _Singleton('undefined')

#: A hole in a sparse JavaScript array (``[1, , 3]``); only meaningful as a list item.
hole = _Singleton('hole')


# --- Array with extra properties ----------------------------------------------------------------

class Array(list):
    """A JavaScript array that carries own properties besides its items (``a.extra = 1``).

    The items are the list; the extra properties are attributes (``__dict__``). Plain arrays
    arrive as plain lists and never use this class.
    """

    def __reduce__(self):
        return (Array, (), _state(self), iter(self))

    @recursive_repr()
    def __repr__(self):
        return 'Array(%s, %r)' % (list.__repr__(self), _state(self) or {})


class Map(dict):
    """A JavaScript Map that carries own properties besides its entries (``m.extra = 1``)."""

    def __reduce__(self):
        return (Map, (), _state(self), None, iter(self.items()))

    @recursive_repr()
    def __repr__(self):
        return 'Map(%s, %r)' % (dict.__repr__(self), _state(self) or {})


class Set(set):
    """A JavaScript Set that carries own properties besides its items."""

    def extend(self, items):
        # The unpickler adds a reduction's list items through extend.
        self.update(items)

    def __reduce__(self):
        return (Set, (), _state(self), iter(self))

    @recursive_repr()
    def __repr__(self):
        return 'Set(%s, %r)' % (set.__repr__(self), _state(self) or {})


# --- Date outside Python's range ----------------------------------------------------------------

class Date:
    """A JavaScript Date that ``datetime.datetime`` cannot hold: before year 1, after 9999, invalid
    (``time`` is NaN), or carrying own properties. ``time`` is milliseconds since the epoch, UTC.
    """

    __slots__ = ('time', '__dict__')

    def __init__(self, time):
        self.time = time

    def __reduce__(self):
        return (Date, (self.time,), _state(self))

    def __eq__(self, other):
        if not isinstance(other, Date):
            return NotImplemented
        same_time = self.time == other.time or (self.time != self.time and other.time != other.time)
        return same_time and _state(self) == _state(other)

    __hash__ = None

    def to_datetime(self):
        """The aware UTC datetime, or None when the time is invalid or out of Python's range."""
        try:
            epoch = _datetime.datetime(1970, 1, 1, tzinfo=_datetime.timezone.utc)
            return epoch + _datetime.timedelta(milliseconds=self.time)
        except (OverflowError, ValueError, TypeError):
            return None

    def __repr__(self):
        return 'Date(%r)' % (self.time,)


# --- RegExp -------------------------------------------------------------------------------------

class RegExp:
    """A JavaScript regular expression: its ``source`` and ``flags`` text (``lastIndex`` and other
    own properties are attributes). JavaScript and Python regex syntax differ; ``compile()`` is a
    best effort for the common subset (flags i, m, s; others ignored).
    """

    __slots__ = ('source', 'flags', '__dict__')

    def __init__(self, source, flags=''):
        self.source = source
        self.flags = flags

    def __reduce__(self):
        return (RegExp, (self.source, self.flags), _state(self))

    def __eq__(self, other):
        if not isinstance(other, RegExp):
            return NotImplemented
        return (self.source, self.flags, _state(self)) == (other.source, other.flags, _state(other))

    __hash__ = None

    def compile(self):
        import re
        f = 0
        for c, bit in (('i', re.IGNORECASE), ('m', re.MULTILINE), ('s', re.DOTALL)):
            if c in self.flags:
                f |= bit
        return re.compile(self.source, f)

    def __repr__(self):
        return 'RegExp(%r, %r)' % (self.source, self.flags)


# --- Symbol.for ---------------------------------------------------------------------------------

class Symbol:
    """A registered JavaScript symbol, ``Symbol.for(key)``: one object per key."""

    __slots__ = ('key',)
    _registry = {}

    def __new__(cls, key):
        key = str(key)
        sym = cls._registry.get(key)
        if sym is None:
            sym = object.__new__(cls)
            sym.key = key
            cls._registry[key] = sym
        return sym

    def __reduce__(self):
        return (_symbol_for, (self.key,))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return 'Symbol.for(%r)' % (self.key,)


def _symbol_for(key):
    return Symbol(key)


# Pickled (and looked up) as the global 'copyreg_js' 'Symbol.for', as JavaScript writes it. From
# protocol 4 on, unpicklers resolve the dotted name through Symbol's attribute 'for'; below 4 they
# look up the module attribute named 'Symbol.for' itself, hence both.
_symbol_for.__name__ = 'for'
_symbol_for.__qualname__ = 'Symbol.for'
setattr(Symbol, 'for', staticmethod(_symbol_for))
globals()['Symbol.for'] = _symbol_for


# --- Boxed primitives ---------------------------------------------------------------------------

class _Box:
    __slots__ = ('value', '__dict__')

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return (type(self), (self.value,), _state(self))

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.value == other.value and _state(self) == _state(other)

    __hash__ = None

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.value)


class Number(_Box):
    """``new Number(v)``: a boxed float or int."""


class String(_Box):
    """``new String(v)``: a boxed str."""


class Boolean(_Box):
    """``new Boolean(v)``: a boxed bool."""

    def __bool__(self):
        # Note: in JavaScript every object is truthy, a boxed false included; Python code asking
        # bool() of the box almost always wants the value.
        return bool(self.value)


class BigInt(_Box):
    """``Object(5n)``: a boxed int."""


# --- ArrayBuffer views --------------------------------------------------------------------------

class _View:
    __slots__ = ('buffer', 'byte_offset', 'length', '__dict__')
    itemsize = 1

    def __init__(self, buffer, byte_offset=0, length=None):
        if not isinstance(buffer, bytearray):
            buffer = bytearray(buffer)
        if length is None:
            length = (len(buffer) - byte_offset) // self.itemsize
        self.buffer = buffer
        self.byte_offset = byte_offset
        self.length = length

    def __reduce__(self):
        return (type(self), (self.buffer, self.byte_offset, self.length), _state(self))

    @property
    def byte_length(self):
        return self.length * self.itemsize

    def tobytes(self):
        return bytes(self.buffer[self.byte_offset:self.byte_offset + self.byte_length])

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self.tobytes() == other.tobytes() and _state(self) == _state(other)

    __hash__ = None


class DataView(_View):
    """A DataView: ``buffer`` (the ArrayBuffer, a bytearray shared with the other views on it),
    ``byte_offset`` and ``length`` in bytes. ``memoryview()`` is a writable view of those bytes.
    """

    def memoryview(self):
        return memoryview(self.buffer)[self.byte_offset:self.byte_offset + self.length]

    def __repr__(self):
        return 'DataView(%r)' % (self.tobytes(),)


class TypedArray(_View):
    """Base of the typed arrays: ``buffer`` (a bytearray shared with the other views on it),
    ``byte_offset`` and ``length`` (in elements). ``memoryview()`` is a writable view cast to the
    element type (native byte order, as JavaScript's), ``tolist()`` the values, ``toarray()`` an
    ``array.array`` copy.
    """

    format = 'B'

    def memoryview(self):
        start = self.byte_offset
        return memoryview(self.buffer)[start:start + self.byte_length].cast(self.format)

    def tolist(self):
        return self.memoryview().tolist()

    def toarray(self):
        return _array.array(self.format, self.tobytes())

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        return self.memoryview()[i]

    def __setitem__(self, i, v):
        self.memoryview()[i] = v

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.tolist())


def _typed(name, fmt):
    attrs = {'__slots__': (), 'format': fmt, 'itemsize': _array.array(fmt).itemsize,
             '__module__': __name__, '__qualname__': name,
             '__doc__': 'JavaScript\'s %s (array type code %r).' % (name, fmt)}
    return type(name, (TypedArray,), attrs)


Int8Array = _typed('Int8Array', 'b')
Uint8Array = _typed('Uint8Array', 'B')
Uint8ClampedArray = _typed('Uint8ClampedArray', 'B')
Int16Array = _typed('Int16Array', 'h')
Uint16Array = _typed('Uint16Array', 'H')
Int32Array = _typed('Int32Array', 'i')
Uint32Array = _typed('Uint32Array', 'I')
Float32Array = _typed('Float32Array', 'f')
Float64Array = _typed('Float64Array', 'd')
BigInt64Array = _typed('BigInt64Array', 'q')
BigUint64Array = _typed('BigUint64Array', 'Q')


# --- Errors -------------------------------------------------------------------------------------
# JavaScript's Error, TypeError and SyntaxError are written as builtins.Exception / TypeError /
# SyntaxError; the kinds below have no Python counterpart. Own properties of the JS error (stack,
# cause, ...) are attributes. Exceptions pickle back through BaseException.__reduce__, which gives
# (cls, args, __dict__): the same call.

class _JSError:
    @property
    def message(self):
        return self.args[0] if self.args else ''


class Error(_JSError, Exception):
    """``Error`` by its JavaScript name (loaders accept it; the writer uses builtins.Exception)."""


class TypeError(_JSError, _builtins.TypeError):
    """``TypeError`` by its JavaScript name (the writer uses builtins.TypeError)."""


class SyntaxError(_JSError, _builtins.SyntaxError):
    """``SyntaxError`` by its JavaScript name (the writer uses builtins.SyntaxError)."""


class RangeError(_JSError, Exception):
    """JavaScript's RangeError."""


class ReferenceError(_JSError, Exception):
    """JavaScript's ReferenceError."""


class EvalError(_JSError, Exception):
    """JavaScript's EvalError."""


class URIError(_JSError, Exception):
    """JavaScript's URIError."""


class AggregateError(_JSError, Exception):
    """JavaScript's AggregateError: ``args`` is ``(errors, message)``."""

    @property
    def errors(self):
        return self.args[0] if self.args else []

    @property
    def message(self):
        return self.args[1] if len(self.args) > 1 else ''
