#!/usr/bin/env node
// Entry only: the CLI lives in dist/cli/main.js (built from src/ by `npm run build`,
// which `npm install` runs through the `prepare` script).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('rtbench: not built yet — run `npm install` (or `npm run build`) in the rtbench folder first\n');
    process.exit(1);
  }
  throw error;
});
