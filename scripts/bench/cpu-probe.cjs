'use strict';
// Preloaded (`node -r`) into a measured process: at exit it writes the CPU time the process used
// (every thread: user + system, from getrusage) to stderr, so the bench can report CPU beside wall
// time. CPU time hardly moves with the machine's load; wall time does.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(2, `\n__octo_cpu_us ${user + system}\n`);
});
