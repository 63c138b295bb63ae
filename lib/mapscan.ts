/**
 * Which dicts of a pickle must load as Maps: those that receive a key that is not a string (see
 * prescan.ts for the walk, and MapNeeded in unpickler-machine.ts for when it is needed).
 */
import { walkSymbols } from './prescan';

/**
 * The positions of the dict opcodes (EMPTY_DICT, DICT) whose dict gets a non-string key, found by
 * walking the pickle from its start without running anything.
 *
 * @param data The bytes.
 * @param start Where the pickle starts.
 * @param py2StrIsStr Whether Python 2 `str` opcodes load as strings.
 * @returns The positions.
 */
export function findMapDicts(data: Uint8Array, start: number, py2StrIsStr: boolean): Set<number> {
  const maps = new Set<number>();
  walkSymbols(data, start, { stack: [], memo: () => undefined, memoSize: 0, py2StrIsStr }, {
    dictKey: (at, keyIsStr) => {
      if (!keyIsStr) maps.add(at);
    },
  });
  return maps;
}
