/**
 * Runs every example in order (`npm run demo`). Each example exports `main()` and also runs on
 * its own with `npx ts-node examples/<name>.ts`.
 */
import { main as pythonDocsCopyreg } from './python-docs-copyreg';
import { main as appState } from './app-state';
import { main as domainModel } from './domain-model';
import { main as pythonInterop } from './python-interop';

/** The examples, in the order they are shown. */
export const EXAMPLES: readonly (readonly [name: string, main: () => void])[] = [
  ['python-docs-copyreg', pythonDocsCopyreg],
  ['app-state', appState],
  ['domain-model', domainModel],
  ['python-interop', pythonInterop],
];

/** Runs every example, each under a heading. */
export function main(): void {
  for (const [name, run] of EXAMPLES) {
    console.log(`=== examples/${name}.ts ===`);
    run();
    console.log('');
  }
}

if (require.main === module) main();
