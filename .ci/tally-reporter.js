'use strict';
/**
 * A mocha reporter for CI: mocha's usual spec output, plus the run's totals appended as one JSON
 * line to the file named by COPYREG_TALLY_FILE (or the `tally=<file>` reporter option), so that
 * .ci/run can add up both decorator flavours. Without a file it is just the spec reporter.
 */
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class TallyReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = (options && options.reporterOptions && options.reporterOptions.tally) ||
      process.env.COPYREG_TALLY_FILE;
    if (!file) return;
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const project = process.env.TS_NODE_PROJECT || 'tsconfig.json';
      fs.appendFileSync(file, JSON.stringify({ project, passes, failures, pending }) + '\n');
    });
  }
}

module.exports = TallyReporter;
