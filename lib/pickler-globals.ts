/**
 * The pickler's globals: how a class, a declared function or one of the natives is written by
 * name, as CPython's `save_global` does (the memo of names, extension codes, GLOBAL or
 * STACK_GLOBAL, `getattr` for dotted names, and Python 2 names below protocol 3).
 */
import { typeName } from './errors';
import { OP } from './opcodes';
import { FreshStr, noClassOfItsOwn, picklingError, reduction } from './pickler-core';
import { PicklerRecursive } from './pickler-recursive';
import * as T from './pickler-tasks';
import { PyGlobal } from './pyobjects';
import { py2Name } from './pynames';
import { isPrototypeAllocator } from './reduce-default';
import { globalKey, type Registry } from './registry';
import { DICT, GETATTR, nativeName } from './typemap';

/** The global writers; the Pickler supplies its registry and `fixImports`. */
export abstract class PicklerGlobals extends PicklerRecursive {
  abstract readonly registry: Registry;
  abstract readonly fixImports: boolean;

  /** Writes a declared function or class, or a native, by its global name. */
  protected saveFunction(fn: Function): void {
    if (isPrototypeAllocator(fn)) throw noClassOfItsOwn();
    const native = nativeName(fn);
    if (native !== undefined) return this.saveGlobal(fn, native.module, native.name);
    const name = this.registry.nameOf(fn);
    if (name === undefined) {
      throw picklingError(
        `Can't pickle ${typeName(fn)}: it is not declared; declare it with constructor() or @reducible`,
      );
    }
    if (this.registry.resolve(name.module, name.name) !== fn) {
      throw picklingError(
        `Can't pickle ${typeName(fn)}: it's not the same object as ${name.module}.${name.name}`,
      );
    }
    this.saveGlobal(fn, name.module, name.name);
  }

  /**
   * Writes the global `module.name` standing for `obj`: a memo GET when written before, an EXT
   * code when registered (protocol 2+), STACK_GLOBAL from protocol 4, `getattr(parent, attr)` for
   * a dotted name below that, else GLOBAL with Python 2 names at protocols < 3.
   */
  protected saveGlobal(obj: unknown, module: string, name: string): void {
    const out = this.out;
    const key = globalKey(module, name);
    const idx = this.globalMemo.get(key);
    if (idx !== undefined) {
      this.writeGet(idx);
      return;
    }
    if (this.protocol >= 2) {
      const code = this.registry.extensionCode(module, name);
      if (code !== undefined) {
        if (code <= 0xff) out.byte2(OP.EXT1, code);
        else if (code <= 0xffff) {
          out.byte(OP.EXT2);
          out.u16(code);
        } else {
          out.byte(OP.EXT4);
          out.i32(code);
        }
        return;
      }
    }
    // Note: a Map with string keys is `builtins.dict()` (see saveMap), which CPython never
    // writes; the GLOBAL form takes one memo entry where STACK_GLOBAL takes three.
    if (this.protocol >= 4 && obj !== DICT) {
      this.push(T.GLOBAL_END, key, obj);
      // Note: CPython's module name and qualified name are different str objects even when
      // equal (datetime.datetime), so the name is not a memo hit on the module's string.
      this.push(T.SAVE_NOPERS, name === module ? new FreshStr(name) : name);
      this.push(T.SAVE_NOPERS, module);
      return;
    }
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const parent = this.registry.resolve(module, name.slice(0, dot)) ?? new PyGlobal(module, name.slice(0, dot));
      return this.saveReduce(reduction(GETATTR, [parent, name.slice(dot + 1)], null, null, null), obj as object);
    }
    let m = module;
    let n = name;
    if (this.protocol < 3 && this.fixImports) [m, n] = py2Name(module, name);
    if (this.protocol < 3 && !/^[\x00-\x7f]*$/.test(m + n)) {
      throw picklingError(
        `can't pickle global identifier '${module}.${name}' using pickle protocol ${this.protocol}`,
      );
    }
    out.byte(OP.GLOBAL);
    out.utf8(`${m}\n${n}\n`);
    this.rememberGlobal(obj, key, this.putMemo());
  }
}
