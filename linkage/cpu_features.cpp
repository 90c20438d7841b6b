#include "cpu_features.h"

namespace nser::linkage {

namespace {
CpuFeatures detect() {
  CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  features.popcnt = __builtin_cpu_supports("popcnt");
  features.avx2 = __builtin_cpu_supports("avx2");
  features.avx512f = __builtin_cpu_supports("avx512f");
  features.avx512bw = __builtin_cpu_supports("avx512bw");
  features.avx512vpopcntdq = __builtin_cpu_supports("avx512vpopcntdq");
#endif
  return features;
}
}  // namespace

std::string CpuFeatures::describe() const {
  std::string out;
  auto add = [&out](bool present, const char* name) {
    if (!present) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(popcnt, "popcnt");
  add(avx2, "avx2");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vpopcntdq, "avx512vpopcntdq");
  return out.empty() ? "none" : out;
}

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace nser::linkage
