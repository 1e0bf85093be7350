// record-builtins.cjs: a --require preload: at the addon's execve, writes the Node built-ins loaded so far.
'use strict';
// nabla-run's start-up ends in the addon's execve; what Node loaded until then is what it cost.
// The list goes to the file named by NABLA_TEST_BUILTINS (JSON), then the real execve runs.
const { writeFileSync } = require('node:fs');

const dlopen = process.dlopen;
process.dlopen = function recordingDlopen(module, filename, ...rest) {
  const result = dlopen.call(this, module, filename, ...rest);
  const execve = module.exports.execve;
  if (typeof execve === 'function') {
    module.exports.execve = (...args) => {
      writeFileSync(process.env.NABLA_TEST_BUILTINS, JSON.stringify(process.moduleLoadList));
      return execve(...args);
    };
  }
  return result;
};
