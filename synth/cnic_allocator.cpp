#include "synth/cnic_allocator.h"

#include "synth/random_stream.h"

namespace nser::synth {
namespace {
constexpr int kHalfBits = 13;
constexpr std::uint64_t kHalfMask = (1u << kHalfBits) - 1;
}  // namespace

CnicAllocator::CnicAllocator(std::uint64_t seed) {
  RandomStream rng(seed, purposeCode("cnic-permutation"));
  for (auto& key : keys_) key = rng.next();
}

std::uint64_t CnicAllocator::permute(std::uint64_t index) const {
  // Cycle-walking: a permutation of [0, 2^26) restricted to [0, kMaxPeople)
  // by re-applying it until the value falls inside; still a bijection.
  std::uint64_t v = index;
  do {
    std::uint64_t left = v >> kHalfBits;
    std::uint64_t right = v & kHalfMask;
    for (std::uint64_t key : keys_) {
      const std::uint64_t next = left ^ (mix64(key ^ right) & kHalfMask);
      left = right;
      right = next;
    }
    v = (left << kHalfBits) | right;
  } while (v >= kMaxPeople);
  return v;
}

std::string CnicAllocator::digits(std::uint64_t index, int provinceDigit, int districtCode, int tehsilCode,
                                  bool male) const {
  const std::uint64_t v = permute(index);
  std::uint64_t serial = v / 5;
  const int gender = static_cast<int>(2 * (v % 5) + (male ? 1 : 0));
  std::string out(13, '0');
  out[0] = static_cast<char>('0' + provinceDigit);
  out[1] = static_cast<char>('0' + districtCode / 10 % 10);
  out[2] = static_cast<char>('0' + districtCode % 10);
  out[3] = static_cast<char>('0' + tehsilCode / 10 % 10);
  out[4] = static_cast<char>('0' + tehsilCode % 10);
  for (int i = 11; i >= 5; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + serial % 10);
    serial /= 10;
  }
  out[12] = static_cast<char>('0' + gender);
  return out;
}

std::string CnicAllocator::withDashes(const std::string& digits13) {
  return digits13.substr(0, 5) + "-" + digits13.substr(5, 7) + "-" + digits13.substr(12, 1);
}

}  // namespace nser::synth
