/**
 * JS stand-ins for Python things that have no JS counterpart: a reference to a Python global
 * (`PyGlobal`), an inert instance built from one (`PyObject`), and protocol 5's `PickleBuffer`.
 * Loading a foreign pickle with placeholders on gives these instead of running anything; writing
 * them back gives CPython's bytes again.
 */
import { pyTypeName } from './errors';

/**
 * A Python global (a class, function or singleton) named by module and qualified name, e.g.
 * `new PyGlobal('builtins', 'len')`. Pickled by reference (GLOBAL / STACK_GLOBAL / EXT).
 */
export class PyGlobal {
  /**
   * @param module The module, e.g. `'collections'`.
   * @param name The qualified name, e.g. `'OrderedDict'`.
   */
  constructor(
    readonly module: string,
    readonly name: string,
  ) {
    Object.freeze(this);
  }

  /** `module.name`, for messages. */
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** How a {@link PyObject} was created in the pickle, so it is written back the same way. */
export type PyObjectForm = 'reduce' | 'newobj' | 'newobj_ex' | 'inst';

/**
 * An inert Python object: what a placeholder-mode load makes of `REDUCE`, `NEWOBJ` or `BUILD` on a
 * {@link PyGlobal} (or any callable it does not run). Nothing is called; the parts are kept so the
 * object can be inspected and pickled again unchanged.
 */
export class PyObject {
  /** The state given by BUILD, if any. */
  state: unknown = undefined;
  /** Items added by APPEND / APPENDS / ADDITEMS. */
  readonly listItems: unknown[] = [];
  /** Pairs added by SETITEM / SETITEMS. */
  readonly dictItems: [unknown, unknown][] = [];

  /**
   * @param cls The class or callable (usually a {@link PyGlobal}).
   * @param args The positional arguments it was called with.
   * @param form How it was created.
   * @param kwargs Keyword arguments (NEWOBJ_EX).
   */
  constructor(
    readonly cls: unknown,
    readonly args: readonly unknown[],
    readonly form: PyObjectForm = 'reduce',
    readonly kwargs: Readonly<Record<string, unknown>> | null = null,
  ) {}

  /** Keeps BUILD state instead of applying it. */
  __setstate__(state: unknown): void {
    this.state = state;
  }

  /** Keeps APPENDS items. */
  append(item: unknown): void {
    this.listItems.push(item);
  }

  /** Keeps SETITEMS pairs. */
  __setitem__(key: unknown, value: unknown): void {
    this.dictItems.push([key, value]);
  }
}

/**
 * Protocol 5's `pickle.PickleBuffer`: wraps bytes so the pickler can hand them to a
 * `bufferCallback` and keep them out of the stream (zero copy), or write them in-band.
 */
export class PickleBuffer {
  /** The bytes (a view; not copied). */
  readonly view: Uint8Array;

  /**
   * @param data The bytes: a Uint8Array (or other typed array / DataView) or an ArrayBuffer.
   * @param readonly Whether the buffer is read-only, like Python `bytes` (written in-band as
   *   bytes; writable buffers are written as bytearray). By default it follows the type mapping,
   *   as Python's PickleBuffer follows the object it wraps: a view (Python's `bytes`) is
   *   read-only, an ArrayBuffer (Python's `bytearray`) writable.
   * @throws {TypeError} when `data` is not bytes-like.
   */
  constructor(
    data: ArrayBufferView | ArrayBufferLike,
    readonly readonly = !isBuffer(data),
  ) {
    if (ArrayBuffer.isView(data)) this.view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (isBuffer(data)) this.view = new Uint8Array(data);
    else throw new TypeError(`a bytes-like object is required, not '${pyTypeName(data)}'`);
  }

  /** The wrapped bytes, as Python's `PickleBuffer.raw()`. */
  raw(): Uint8Array {
    return this.view;
  }
}

function isBuffer(x: unknown): x is ArrayBufferLike {
  return x instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer);
}

/** The module under which JS-only values (undefined, RegExp, typed arrays, …) are pickled. */
export const JS_MODULE = 'copyreg_js';
