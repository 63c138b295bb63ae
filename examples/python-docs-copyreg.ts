/**
 * The example from Python's `copyreg` documentation, ported:
 *
 * ```python
 * >>> import copyreg, copy, pickle
 * >>> class C:
 * ...     def __init__(self, a):
 * ...         self.a = a
 * ...
 * >>> def pickle_c(c):
 * ...     print("pickling a C instance...")
 * ...     return C, (c.a,)
 * ...
 * >>> copyreg.pickle(C, pickle_c)
 * >>> c = C(1)
 * >>> d = copy.copy(c)
 * pickling a C instance...
 * >>> p = pickle.dumps(c)
 * pickling a C instance...
 * ```
 *
 * then the same with the reducer attached by the `@reducible` decorator instead of `pickle()`.
 *
 * Run: `npx ts-node examples/python-docs-copyreg.ts`
 */
import { copy, dumps, loads, pickle, reducible } from '../lib/index';

class C {
  constructor(public a: number) {}
}

function pickleC(c: C): [typeof C, [number]] {
  console.log('pickling a C instance...');
  return [C, [c.a]];
}

// The third argument is CPython's `constructor_ob`: here it declares C loadable, so that `loads`
// may call it (Python finds C by importing it; a safe loader must be told).
pickle(C, pickleC, C);

// The decorator form: the same registration, written on the class itself.
@reducible(pickleDecoratedC)
class DecoratedC {
  constructor(public a: number) {}
}

function pickleDecoratedC(c: DecoratedC): [typeof DecoratedC, [number]] {
  console.log('pickling a DecoratedC instance...');
  return [DecoratedC, [c.a]];
}

/**
 * Copies an instance the ways the Python session does; each one calls the registered reducer.
 *
 * @param label How the instance is shown.
 * @param c The instance.
 */
function copyEachWay(label: string, c: C | DecoratedC): void {
  console.log(`>>> d = copy(${label})`);
  const d = copy(c);
  const sameClass = d.constructor === c.constructor;
  console.log(`d.a = ${d.a}, d === ${label}: ${d === c}, same class: ${sameClass}`);
  console.log(`>>> p = dumps(${label})`);
  const p = dumps(c);
  const e = loads(p) as C | DecoratedC;
  console.log(`${p.length} bytes; loads(p).a = ${e.a}, same class: ${e.constructor === c.constructor}`);
}

/** Runs the example. */
export function main(): void {
  console.log('# copyreg.pickle(C, pickleC)');
  copyEachWay('c', new C(1));
  console.log('# @reducible on the class');
  copyEachWay('dc', new DecoratedC(2));
}

if (require.main === module) main();
