// Frequency-weighted name lists in Roman script, written for this generator:
// male and female given names (a general list plus one list per name region),
// family/caste/tribal names per region, men's honorifics and titles, women's
// suffixes (Bibi, Begum, Khatoon, Mai) and locality words for addresses.
//
// Weights are relative frequencies by judgement, not census counts. Regional
// skew comes from drawing a given name from the region's own list with
// probability kRegionalGivenShare and from the general list otherwise; family
// names come from the region's list only. Immutable tables: thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "synth/admin_geography.h"
#include "synth/random_stream.h"

namespace nser::synth {

inline constexpr double kRegionalGivenShare = 0.4;

struct WeightedName {
  std::string_view name;
  unsigned weight;
};

// A list sampled by weight.
class WeightedList {
 public:
  WeightedList(const WeightedName* begin, const WeightedName* end);
  std::string_view pick(RandomStream& rng) const;
  std::size_t size() const { return names_.size(); }
  std::string_view at(std::size_t i) const { return names_[i]; }

 private:
  std::vector<std::string_view> names_;
  std::vector<unsigned> cumulative_;
};

std::string_view pickMaleGiven(NameRegion region, RandomStream& rng);
std::string_view pickFemaleGiven(NameRegion region, RandomStream& rng);
std::string_view pickFamilyName(NameRegion region, RandomStream& rng);
// Prefix titles for men: Haji, Hafiz, Mian, Malik, Chaudhry, Sheikh, Rana, Sardar, Mir.
std::string_view pickMaleTitle(NameRegion region, RandomStream& rng);
// Suffixes for women: Bibi, Begum, Khatoon, Mai.
std::string_view pickFemaleSuffix(NameRegion region, RandomStream& rng);
// "Mohalla", "Chak", "Goth", "Killi", ... followed by a place word.
std::string_view pickLocalityKind(NameRegion region, RandomStream& rng);
std::string_view pickLocalityName(RandomStream& rng);

// True for a token that is a title or women's suffix (including "Syed").
bool isHonorificToken(std::string_view token);
bool isFemaleSuffixToken(std::string_view token);

}  // namespace nser::synth
