#!/usr/bin/env bash
# Packaging check: packs the package, installs the tarball into a fresh project as a user would
# (which also fetches reflect-metadata from the registry), and checks that `require('copyreg')`,
# ESM named imports from an .mjs file, and the shipped type declarations all work.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tsc="$root/node_modules/.bin/tsc"

cd "$root"
# prepack builds dist/ first.
npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; exit 1; }
tarball=$(ls "$tmp"/copyreg-*.tgz)
# Note: list to a file first; `tar | grep -q` under pipefail fails when grep stops reading early.
tar -tzf "$tarball" >"$tmp/files.txt"
echo "packed $(basename "$tarball") ($(wc -l <"$tmp/files.txt") files)"
grep -qx 'package/dist/index.d.ts' "$tmp/files.txt" || {
  echo 'dist/index.d.ts is missing from the tarball'
  exit 1
}

mkdir "$tmp/app"
cd "$tmp/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball"
test -f node_modules/copyreg/dist/index.d.ts
test -d node_modules/reflect-metadata

cat >smoke.cjs <<'JS'
const assert = require('node:assert');
const copyreg = require('copyreg');
for (const name of ['copy', 'deepcopy', 'replace', 'pickle', 'reducible', 'dispatchTable',
  'getClassMetadata', 'CLASS_METADATA_KEY', 'newobj']) {
  assert.ok(Object.prototype.hasOwnProperty.call(copyreg, name), `missing export ${name}`);
}
assert.ok(Object.prototype.hasOwnProperty.call(copyreg, 'constructor'), 'missing constructor');
assert.notStrictEqual(copyreg.constructor, Object);
class Point { constructor(x) { this.x = x; } }
let calls = 0;
copyreg.reducible((p) => { calls++; return [Point, [p.x]]; }, { module: 'smoke.cjs' })(Point);
const c = copyreg.deepcopy({ a: new Point(1) });
assert.ok(c.a instanceof Point && c.a.x === 1 && calls === 1);
assert.deepStrictEqual(copyreg.getClassMetadata(Point).module, 'smoke.cjs');
console.log('require(\'copyreg\') ok');
JS
node smoke.cjs

cat >smoke.mjs <<'JS'
import assert from 'node:assert';
import { deepcopy, reducible, constructor } from 'copyreg';
import copyreg from 'copyreg';
assert.strictEqual(typeof constructor, 'function');
assert.notStrictEqual(constructor, Object);
class Point { constructor(x) { this.x = x; } }
reducible((p) => [Point, [p.x]], { module: 'smoke.mjs' })(Point);
function makePoint(x) { return new Point(x); }
constructor(makePoint);
assert.ok(copyreg.defaultRegistry.isDeclared(makePoint));
const c = deepcopy([new Point(2)]);
assert.ok(c[0] instanceof Point && c[0].x === 2);
console.log('import { deepcopy, reducible, constructor } from \'copyreg\' ok');
JS
node smoke.mjs

# A TypeScript consumer, type-checked against the shipped .d.ts in both decorator flavours.
cat >consumer.ts <<'TS'
import { constructor, deepcopy, reducible, type ReduceValue } from 'copyreg';

@reducible((p: Point): ReduceValue<typeof Point> => [Point, [p.x]], { module: 'consumer' })
export class Point {
  constructor(readonly x: number) {}
  @constructor
  static of(x: number): Point {
    return new Point(x);
  }
}
export const copied: Point = deepcopy(Point.of(1));
TS
common=(--noEmit --strict --target es2022 --module nodenext consumer.ts)
"$tsc" "${common[@]}" --experimentalDecorators
"$tsc" "${common[@]}"
echo 'consumer.ts type-checks in both decorator flavours'
