/**
 * Own properties written the way Python's `__dict__.update` writes them: no setter runs and no
 * prototype changes, whatever the key (`__proto__` included). Shared by state application
 * (reduce.ts), deepcopy and the unpickler.
 */

/**
 * Defines one property on `obj` as `__dict__.update` would: without running setters and without
 * ever changing a prototype (a `__proto__` key becomes an own data property).
 *
 * @param obj The target.
 * @param key The key.
 * @param value The value.
 */
export function defineValue(obj: object, key: string | symbol, value: unknown): void {
  // Note: when nothing of that name exists on the chain, assignment is equivalent and much faster.
  if (!(key in obj)) {
    (obj as Record<string | symbol, unknown>)[key] = value;
    return;
  }
  const own = Object.getOwnPropertyDescriptor(obj, key);
  if (own !== undefined && !own.configurable) {
    // A built-in's own non-configurable slot (RegExp lastIndex, array length): only its value moves.
    (obj as Record<string | symbol, unknown>)[key] = value;
    return;
  }
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Copies one property descriptor from a state object onto `obj` (see {@link defineValue}).
 *
 * @param obj The target.
 * @param key The key.
 * @param desc The descriptor, with `value` already replaced when copying deeply.
 */
export function defineDescriptor(obj: object, key: string | symbol, desc: PropertyDescriptor): void {
  if (desc.get === undefined && desc.set === undefined && desc.writable && desc.enumerable && desc.configurable) {
    defineValue(obj, key, desc.value);
    return;
  }
  const own = Object.getOwnPropertyDescriptor(obj, key);
  if (own !== undefined && !own.configurable && 'value' in desc) {
    (obj as Record<string | symbol, unknown>)[key] = desc.value;
    return;
  }
  Object.defineProperty(obj, key, desc);
}

/**
 * Defines a copied property with the original's attributes, without running setters.
 *
 * @param y The copy.
 * @param key The key.
 * @param desc The original's descriptor, `value` already replaced by its copy.
 * @param plain The copy's prototype is Object.prototype, whose only inherited setter is
 *   `__proto__`, so plain assignment is safe for other keys.
 */
export function putProp(y: any, key: string | symbol, desc: PropertyDescriptor, plain: boolean): void {
  if (desc.writable && desc.enumerable && desc.configurable) {
    if (plain && key !== '__proto__') assignOrDefine(y, key, desc.value);
    else defineValue(y, key, desc.value);
  } else {
    defineDescriptor(y, key, desc);
  }
}

/**
 * `y[key] = value`, the fast way to make an own data property when the prototype chain has no
 * setter or read-only property of that name; when it has a read-only one after all (a frozen
 * Object.prototype, as hardened JavaScript makes it, and a key such as `toString`), the
 * assignment throws and the property is defined instead.
 *
 * @param y The object.
 * @param key The key.
 * @param value The value.
 */
export function assignOrDefine(y: any, key: string | symbol, value: unknown): void {
  try {
    y[key] = value;
  } catch {
    defineValue(y, key, value);
  }
}

/**
 * A value used as a property name: symbols and strings as they are, other primitives as their
 * string. An object is refused rather than converted: converting a list joins it, which a small
 * pickle can make huge (nested lists of references), and no such key means anything here.
 *
 * @param k The key.
 * @returns The property key.
 * @throws {TypeError} for an object or function.
 */
export function propertyKey(k: unknown): string | symbol {
  if (typeof k === 'string' || typeof k === 'symbol') return k;
  if ((typeof k === 'object' && k !== null) || typeof k === 'function') {
    throw new TypeError(`a property name must be a str or a primitive, not ${Array.isArray(k) ? 'a list' : typeof k}`);
  }
  return String(k);
}
