#include "linkage/dice_kernel.h"

#include <string>

#include "linkage/cpu_features.h"
#include "linkage/dice_kernel_paths.h"

namespace nser::linkage {

namespace {

std::string missingFeatures(DicePath path) {
  const CpuFeatures& cpu = cpuFeatures();
  std::string missing;
  auto need = [&missing](bool present, const char* name) {
    if (present) return;
    if (!missing.empty()) missing += ", ";
    missing += name;
  };
  if (path == DicePath::Avx2) {
    need(cpu.avx2, "avx2");
    need(cpu.popcnt, "popcnt");
  } else if (path == DicePath::Avx512) {
    need(cpu.avx512f, "avx512f");
    need(cpu.avx512vpopcntdq, "avx512vpopcntdq");
  }
  return missing;
}

}  // namespace

std::string_view dicePathName(DicePath path) {
  switch (path) {
    case DicePath::Auto:
      return "auto";
    case DicePath::Portable:
      return "portable";
    case DicePath::Avx2:
      return "avx2";
    case DicePath::Avx512:
      return "avx512";
  }
  return "unknown";
}

std::optional<DicePath> parseDicePath(std::string_view name) {
  for (DicePath path : {DicePath::Auto, DicePath::Portable, DicePath::Avx2, DicePath::Avx512}) {
    if (dicePathName(path) == name) return path;
  }
  return std::nullopt;
}

bool dicePathSupported(DicePath path) { return missingFeatures(path).empty(); }

DicePath resolveDicePath(DicePath requested) {
  if (requested == DicePath::Auto) {
    if (dicePathSupported(DicePath::Avx512)) return DicePath::Avx512;
    if (dicePathSupported(DicePath::Avx2)) return DicePath::Avx2;
    return DicePath::Portable;
  }
  const std::string missing = missingFeatures(requested);
  if (!missing.empty()) {
    throw DiceConfigError("Dice kernel: path '" + std::string(dicePathName(requested)) +
                          "' needs CPU features this machine lacks: " + missing + " (detected: " +
                          cpuFeatures().describe() + ")");
  }
  return requested;
}

std::uint32_t filterPopcount(std::span<const std::uint64_t> words) {
  std::uint32_t bits = 0;
  for (std::uint64_t word : words) bits += static_cast<std::uint32_t>(__builtin_popcountll(word));
  return bits;
}

void diceIntersections(DicePath path, const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                       std::size_t words, std::uint32_t* out) noexcept {
  switch (path) {
    case DicePath::Avx512:
      dice_paths::intersectAvx512(a, b, count, words, out);
      return;
    case DicePath::Avx2:
      dice_paths::intersectAvx2(a, b, count, words, out);
      return;
    case DicePath::Auto:
    case DicePath::Portable:
      break;
  }
  // Decided once per process: the POPCNT clone when the CPU has the instruction.
  static const dice_paths::IntersectFn portable =
      cpuFeatures().popcnt ? dice_paths::intersectPortablePopcnt : dice_paths::intersectPortableBaseline;
  portable(a, b, count, words, out);
}

double dice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, DicePath path) {
  if (a.empty() || a.size() != b.size()) {
    throw DiceConfigError("Dice kernel: filters must have the same non-zero length, got " +
                          std::to_string(a.size() * 64) + " and " + std::to_string(b.size() * 64) + " bits");
  }
  const DicePath resolved = resolveDicePath(path);
  std::uint32_t intersection = 0;
  diceIntersections(resolved, a.data(), b.data(), 1, a.size(), &intersection);
  return diceScore(intersection, filterPopcount(a), filterPopcount(b));
}

}  // namespace nser::linkage
