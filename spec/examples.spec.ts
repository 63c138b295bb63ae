/**
 * Runs every example's `main()` with console.log captured and checks the lines that carry its
 * point, so the examples cannot rot unnoticed.
 */
import { expect } from 'chai';
import { format } from 'node:util';
import { main as appState } from '../examples/app-state';
import { main as domainModel } from '../examples/domain-model';
import { main as pythonDocsCopyreg } from '../examples/python-docs-copyreg';
import { EXAMPLES, main as runAll } from '../examples/run-all';

/** Runs `fn` and returns what it printed with console.log, one entry per call. */
function captureLog(fn: () => void): string[] {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(format(...args));
  };
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines;
}

/** Asserts that `expected` appear in `lines` in this order, other lines allowed in between. */
function expectInOrder(lines: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const line of expected) {
    const found = lines.indexOf(line, at);
    const where = `${JSON.stringify(line)} after line ${at} of:\n${lines.join('\n')}`;
    expect(found, where).to.be.at.least(0);
    at = found + 1;
  }
}

describe('examples', () => {
  it('python-docs-copyreg: copy() calls the reducer registered by pickle() and @reducible', () => {
    // In order, not exact: the example grows a `dumps(c)` step once the pickler lands.
    expectInOrder(captureLog(pythonDocsCopyreg), [
      '# copyreg.pickle(C, pickleC)',
      '>>> d = copy(c)',
      'pickling a C instance...',
      'd.a = 1, d === c: false, same class: true',
      '# @reducible on the class',
      '>>> d = copy(dc)',
      'pickling a DecoratedC instance...',
      'd.a = 2, d === dc: false, same class: true',
    ]);
  });

  it('app-state: undo restores the state, with sharing and the cycle intact', () => {
    const out = captureLog(appState);
    expect(out).to.include.members([
      '  t1 "Buy milk" done=true due=2024-05-01 tags=[home]',
      '  t2 "Write the report" done=false due=2024-05-10 tags=[work,urgent]',
      'snapshot is a separate graph: true',
      "sharing survives (map entry === owner's list entry): true",
      'sharing survives (selection holds the same todo): true',
      'cycle survives (todo.owner.todos contains todo): true',
      'classes survive: true',
      'restored: t1 done=false, t2 tags=[work]',
      'restored state keeps sharing: true',
      'restored state keeps the cycle: true',
    ]);
    // The last undo shows the initial todos again.
    const last = out.lastIndexOf('undo (0 left) (revision 0):');
    expect(last).to.be.greaterThan(-1);
    expect(out.slice(last + 1, last + 3)).to.deep.equal([
      '  t1 "Buy milk" done=false due=2024-05-01 tags=[home]',
      '  t2 "Write report" done=false due=2024-05-03 tags=[work]',
    ]);
    expect(out.filter((line) => line.endsWith(': false'))).to.deep.equal([]);
  });

  it('domain-model: a #private field survives deepcopy through the reducer', () => {
    const out = captureLog(domainModel);
    expect(out).to.include.members([
      'copy is an Account: true',
      'original balance: 100, copy after deposit: 150',
      'the copy still enforces its invariant: insufficient funds in alice',
      'bank copy shares one Account: true',
      'bank copy is independent: true, balance 100',
    ]);
    // Without the reducer the private field is lost, which is the example's point.
    expect(out.at(-1)).to.match(/^without a reducer: TypeError: .*#balance/);
  });

  it('run-all runs every example under a heading', () => {
    const out = captureLog(runAll);
    const headings = out.filter((line) => line.startsWith('=== '));
    expect(headings).to.deep.equal(EXAMPLES.map(([name]) => `=== examples/${name}.ts ===`));
    expect(out).to.include('pickling a C instance...');
    expect(out).to.include('restored state keeps the cycle: true');
    expect(out).to.include('copy is an Account: true');
  });
});
