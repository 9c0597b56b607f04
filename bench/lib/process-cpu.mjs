// CPU time of processes, read from Linux /proc: for the relay's cost in a measure, and for waiting
// until a newly launched browser has finished starting (browser.mjs).

import { readFile, readdir } from 'node:fs/promises';

/**
 * CPU time of a process, all its threads, in ms (Linux: the first field of each thread's
 * /proc/<pid>/task/<tid>/schedstat is its time on a CPU in ns); null where that is not readable.
 */
export async function processCpuMs(pid) {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    let ns = 0;
    for (const tid of tasks) {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0');
      ns += Number(text.split(' ')[0]) || 0;
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

/**
 * The summed CPU time (ms) of every process whose command line holds `flag`; null when no such
 * process is readable (no /proc, or none running).
 */
export async function processesCpuMs(flag) {
  let pids;
  try {
    pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  let total = null;
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(flag)) continue;
    const ms = await processCpuMs(pid);
    if (ms !== null) total = (total ?? 0) + ms;
  }
  return total;
}
