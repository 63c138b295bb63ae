/**
 * Small helpers for the specs of the stream and file functions (node.spec.ts, fileio.spec.ts).
 */

/** Every value an async iterable yields, in order. */
export async function collect(it: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of it) out.push(v);
  return out;
}

/** The reason a Promise rejects with; fails the spec when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
