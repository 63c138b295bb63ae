// Loaded by mocha before every spec (see .mocharc.json).
// Node 20 has no Symbol.metadata; TC39 decorators only receive `context.metadata` when it exists,
// so the specs install the well-known symbol before any decorated class is defined.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');
