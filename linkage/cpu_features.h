// The SIMD capabilities of the CPU we are running on, detected at run time.
// The release build is portable (no -march=native): kernels such as the Dice
// comparison pick their AVX-512 / AVX2 / portable path from these flags.
// Thread-safe; detection runs once.
#pragma once

#include <string>

namespace nser::linkage {

struct CpuFeatures {
  bool popcnt = false;
  bool avx2 = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vpopcntdq = false;

  // Space-separated names of the features present, e.g. "popcnt avx2".
  std::string describe() const;
};

// The features of this CPU (cached after the first call).
const CpuFeatures& cpuFeatures();

}  // namespace nser::linkage
