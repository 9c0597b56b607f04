// Runs the comparison benchmarks alone: `node bench/measures/compare/run-standalone.mjs [items] [runs]`.
// Progress goes to stderr, the result JSON to stdout.

import { closeAllDevices } from '../../lib/browser.mjs';
import { measureComparisons } from './index.mjs';

const stopOnSignal = (signal) => {
  void closeAllDevices().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

const items = Number(process.argv[2] ?? 10000);
const runs = Number(process.argv[3] ?? 1);
const result = await measureComparisons({ items, runs, log: (line) => console.error(line) });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
