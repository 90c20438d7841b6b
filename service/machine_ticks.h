// MachineTicks: the machine's CPU time so far, in clock ticks, from the first
// line of /proc/stat: all states together, and steal (time the hypervisor
// gave the host's other work while this VM's vCPUs were ready to run).
// Benchmarks report the steal during a run or a second of it, so a slow run
// can be told to be the host's doing rather than the code's.
#pragma once

namespace nser::service {

struct MachineTicks {
  double total = 0;
  double steal = 0;
};

// Zeros where /proc/stat cannot be read.
MachineTicks readMachineTicks();

// Percent of the machine's CPU time stolen between two readings; 0 when no
// time passed.
double stealPercent(const MachineTicks& before, const MachineTicks& after);

}  // namespace nser::service
