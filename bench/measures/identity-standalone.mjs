// Runs the identity and access-control benchmarks (identity.mjs) alone and prints their JSON on
// stdout; progress goes to stderr. Needs the compiled relay: `npm run build:server` first.
//
//   node bench/measures/identity-standalone.mjs [--quick]

import os from 'node:os';
import { measureIdentity } from './identity.mjs';

const quick = process.argv.includes('--quick');
const startedAt = new Date().toISOString();
const loadBefore = os.loadavg();
const t0 = performance.now();
const results = await measureIdentity({ quick, log: (message) => console.error(message) });
const out = {
  measure: 'identity',
  quick,
  startedAt,
  durationS: Math.round((performance.now() - t0) / 100) / 10,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    node: process.version,
    loadavgBefore: loadBefore,
    loadavgAfter: os.loadavg(),
  },
  ...results,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
const failed = Object.values(results).some((r) => r && typeof r === 'object' && 'error' in r);
process.exitCode = failed ? 1 : 0;
