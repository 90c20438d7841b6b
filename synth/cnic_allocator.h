// CnicAllocator: unique, well-formed CNIC and B-form numbers without storing
// any of them.
//
// Layout of the 13 digits P AAAA SSSSSSS G (written PAAAA-SSSSSSS-G):
//   P        province digit of the issuing district (1 KP, 2 former FATA,
//            3 Punjab, 4 Sindh, 5 Balochistan, 6 Islamabad, 7 GB, 8 AJK)
//   AAAA     district ordinal within the province (2 digits) and tehsil
//            ordinal within the district (2 digits)
//   SSSSSSS  serial, and G the gender digit (odd = male, even = female)
// Uniqueness: the person's index i (0 <= i < kMaxPeople) is mapped by a keyed
// permutation of [0, kMaxPeople) (4-round Feistel network on 26 bits with
// cycle-walking, keyed by the seed) to v; SSSSSSS = v / 5 and G = 2*(v % 5)+1
// for men, 2*(v % 5) for women. Distinct indices give distinct (S, G) pairs,
// hence distinct numbers whatever P and AAAA are. The permutation only hides
// the generation order; it is not encryption. Children get B-form numbers from
// the same space (real B-forms share the CNIC format).
#pragma once

#include <cstdint>
#include <string>

namespace nser::synth {

class CnicAllocator {
 public:
  static constexpr std::uint64_t kMaxPeople = 50'000'000;

  explicit CnicAllocator(std::uint64_t seed);

  // The 13 digits (no dashes) for person `index`. Requires index < kMaxPeople,
  // 1 <= provinceDigit <= 9, 0 <= districtCode, tehsilCode <= 99.
  std::string digits(std::uint64_t index, int provinceDigit, int districtCode, int tehsilCode, bool male) const;

  // The permutation itself (exposed for tests).
  std::uint64_t permute(std::uint64_t index) const;

  // "XXXXX-XXXXXXX-X" from 13 digits.
  static std::string withDashes(const std::string& digits13);

 private:
  std::uint64_t keys_[4];
};

}  // namespace nser::synth
