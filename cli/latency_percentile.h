// The p-th percentile (0..1, nearest rank) of measured latencies, for the
// load generators of `nser bench` (0 for no samples).
#pragma once

#include <algorithm>
#include <vector>

namespace nser::cli {

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

}  // namespace nser::cli
