/**
 * Which decorator flavour this spec run was compiled with. The same specs run twice (legacy
 * `experimentalDecorators` and TC39), and an environment variable could disagree with the
 * tsconfig ts-node actually used, so a probe decorator asks the compiled code itself: legacy
 * calls a class decorator with the class alone, TC39 adds a context object.
 */

/** `'legacy'` for `experimentalDecorators`, `'standard'` for TC39 decorators. */
export type DecoratorMode = 'legacy' | 'standard';

let seen: DecoratorMode | undefined;

function probe(_target: Function, context?: ClassDecoratorContext): void {
  seen = context === undefined ? 'legacy' : 'standard';
}

@probe
class ModeProbe {}
void ModeProbe;

/** The flavour the specs were compiled with. */
export const DECORATOR_MODE: DecoratorMode = seen ?? 'legacy';

/** True when TC39 standard decorators are in use. */
export const STANDARD_DECORATORS = DECORATOR_MODE === 'standard';
