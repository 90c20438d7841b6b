#include "service/machine_ticks.h"

#include <fstream>
#include <string>

namespace nser::service {

MachineTicks readMachineTicks() {
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice";
  // guest time is already counted in user and nice.
  std::ifstream stat("/proc/stat");
  std::string label;
  MachineTicks ticks;
  if (!(stat >> label) || label != "cpu") return ticks;
  double value = 0;
  for (int field = 0; field < 8 && stat >> value; ++field) {
    ticks.total += value;
    if (field == 7) ticks.steal = value;
  }
  return ticks;
}

double stealPercent(const MachineTicks& before, const MachineTicks& after) {
  const double total = after.total - before.total;
  return total > 0 ? 100 * (after.steal - before.steal) / total : 0;
}

}  // namespace nser::service
