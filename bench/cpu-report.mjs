// Preloaded (`node --import`) into a command the benches run: on exit, writes the process's CPU
// time in ms (all its threads, user + system) to $THREATLOOP_BENCH_CPU_FILE. Wall time on a shared
// machine includes waiting for a core; CPU time is what the command itself costs.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.THREATLOOP_BENCH_CPU_FILE;
  if (!file) return;
  const usage = process.cpuUsage();
  writeFileSync(file, String((usage.user + usage.system) / 1000));
});
