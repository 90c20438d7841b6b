#include "synth/source_extract.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "synth/csv_format.h"
#include "synth/name_variants.h"

namespace nser::synth {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

void appendPadded(std::string& out, std::uint64_t value, int width) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(digits[--n]);
}

void appendDate(std::string& out, int year, int month, int day) {
  appendPadded(out, static_cast<std::uint64_t>(year), 4);
  out.push_back('-');
  appendPadded(out, static_cast<std::uint64_t>(month), 2);
  out.push_back('-');
  appendPadded(out, static_cast<std::uint64_t>(day), 2);
}

// Clerks abbreviate house and street; the place itself stays the same.
std::string reformatAddress(const std::string& address, RandomStream& rng) {
  constexpr std::string_view kHouse[] = {"H.No. ", "H# ", "House # ", "Makan No. "};
  constexpr std::string_view kStreet[] = {"St. ", "Gali ", "Street No. "};
  std::string out = address;
  if (out.compare(0, 10, "House No. ") == 0) out.replace(0, 10, kHouse[rng.below(4)]);
  const std::size_t street = out.find("Street ");
  if (street != std::string::npos && rng.chance(0.6)) out.replace(street, 7, kStreet[rng.below(3)]);
  return out;
}


}  // namespace

SourceExtract::SourceExtract(SourceSpec spec, Profile runProfile, const AdminGeography& geography,
                             std::uint64_t seed, const std::filesystem::path& file)
    : spec_(std::move(spec)),
      profile_(spec_.profile.value_or(runProfile)),
      rates_(corruptionRates(profile_, spec_.corruptionScale)),
      geography_(geography),
      seed_(seed),
      sourceCode_(purposeCode("source:" + spec_.name)),
      path_(file) {
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) throw SynthIoError(path_.string() + ": cannot create: " + std::strerror(errno));
  buffer_.reserve(kFlushBytes + 4096);
  buffer_.append(kSourceCsvHeader);
  if (spec_.registry) buffer_.append(",household_ref");
  buffer_.push_back('\n');
}

SourceExtract::~SourceExtract() {
  if (file_ != nullptr) std::fclose(file_);
}

bool SourceExtract::includes(const Household& household) const {
  const District& district = geography_.districts()[static_cast<std::size_t>(household.district)];
  if (!spec_.provinces.empty()) {
    const std::string& province = geography_.provinces()[static_cast<std::size_t>(district.province)].name;
    if (std::find(spec_.provinces.begin(), spec_.provinces.end(), province) == spec_.provinces.end()) return false;
  }
  const double pmt = household.pmtHundredths / 100.0;
  const double pmtMax = household.anyDisability && spec_.pmtMaxDisability ? *spec_.pmtMaxDisability : spec_.pmtMax;
  if (pmt < spec_.pmtMin || pmt > pmtMax) return false;
  RandomStream rng(seed_, sourceCode_, household.householdId, 1);
  return rng.chance(spec_.coverage);
}

bool SourceExtract::selects(const Person& person) const {
  switch (spec_.members) {
    case MemberFilter::kAll:
      return true;
    case MemberFilter::kWomen:
      return !person.male && ageAt(person.dob) >= 18;
    case MemberFilter::kChildren:
      return ageAt(person.dob) < 18;
    case MemberFilter::kHeads:
      return person.role == Role::kHead;
  }
  return true;
}

bool SourceExtract::decide(CorruptionKind kind, bool applicable, RandomStream& rng) {
  // One draw whether or not the kind applies, so applicability never shifts later draws.
  const bool chosen = rng.chance(rates_[static_cast<std::size_t>(kind)]);
  if (!applicable) return false;
  CorruptionCount& count = counts_[static_cast<std::size_t>(kind)];
  ++count.eligible;
  if (chosen) ++count.applied;
  return chosen;
}

void SourceExtract::writeHousehold(const Household& household, const std::vector<bool>& selected, std::string& truth) {
  ++households_;
  Placement place{household.district, household.tehsil, household.address, false};
  RandomStream moveRng(seed_, sourceCode_, household.householdId, 2);
  if (moveRng.chance(rates_[static_cast<std::size_t>(CorruptionKind::kHouseholdMoved)])) {
    // Moved since the registry saw them: mostly within the province.
    const District& from = geography_.districts()[static_cast<std::size_t>(household.district)];
    place.district = moveRng.chance(0.8) ? geography_.pickDistrictIn(from.province, moveRng)
                                         : geography_.pickDistrict(moveRng);
    const District& to = geography_.districts()[static_cast<std::size_t>(place.district)];
    place.tehsil = static_cast<int>(moveRng.below(to.tehsils.size()));
    place.address = makeHouseholdAddress(to, place.tehsil, moveRng);
    place.moved = true;
  }
  // Counted per household: the move is one event for all its records.
  CorruptionCount& moved = counts_[static_cast<std::size_t>(CorruptionKind::kHouseholdMoved)];
  ++moved.eligible;
  if (place.moved) ++moved.applied;
  for (std::size_t i = 0; i < household.members.size(); ++i)
    if (selected[i]) writeRecord(household, household.members[i], place, truth);
  flushIfLarge();
}

void SourceExtract::writeRecord(const Household& household, const Person& person, const Placement& place,
                                std::string& truth) {
  RandomStream rng(seed_, sourceCode_, person.personId);
  const District& district = geography_.districts()[static_cast<std::size_t>(place.district)];
  ++records_;

  // rec_id
  const std::size_t recStart = buffer_.size();
  buffer_.append(spec_.name).push_back('-');
  appendPadded(buffer_, records_, 9);
  truth.append(spec_.name).push_back(',');
  truth.append(buffer_, recStart, buffer_.size() - recStart).push_back(',');
  truth.append(std::to_string(person.personId)).push_back(',');
  truth.append(std::to_string(person.householdId)).push_back('\n');
  buffer_.push_back(',');

  // cnic
  std::string cnic = person.cnic;
  if (decide(CorruptionKind::kCnicMissing, true, rng)) cnic.clear();
  if (decide(CorruptionKind::kCnicDigitWrong, !cnic.empty(), rng)) {
    const std::size_t at = rng.below(13);
    cnic[at] = static_cast<char>('0' + (cnic[at] - '0' + 1 + static_cast<int>(rng.below(9))) % 10);
  }
  bool transposable = false;
  for (std::size_t i = 0; i + 1 < cnic.size() && !transposable; ++i) transposable = cnic[i] != cnic[i + 1];
  if (decide(CorruptionKind::kCnicTransposed, transposable, rng)) {
    std::size_t at = rng.below(12);
    while (cnic[at] == cnic[at + 1]) at = (at + 1) % 12;
    std::swap(cnic[at], cnic[at + 1]);
  }
  const bool noDashes = decide(CorruptionKind::kCnicNoDashes, !cnic.empty(), rng);
  if (!cnic.empty() && !noDashes) cnic = CnicAllocator::withDashes(cnic);
  buffer_.append(cnic).push_back(',');

  // name
  std::string& name = scratch_;
  name = person.name;
  if (decide(CorruptionKind::kNameHonorific, toggleHonorific(name, person.male, district.region, nullptr), rng))
    toggleHonorific(name, person.male, district.region, &rng);
  if (decide(CorruptionKind::kNameTransliteration, transliterate(name, nullptr), rng)) transliterate(name, &rng);
  if (decide(CorruptionKind::kNameJoinSplit, joinOrSplit(name, nullptr), rng)) joinOrSplit(name, &rng);
  if (decide(CorruptionKind::kNameTokenOrder, reorderTokens(name, nullptr), rng)) reorderTokens(name, &rng);
  if (decide(CorruptionKind::kNameTokenDrop, dropToken(name, nullptr), rng)) dropToken(name, &rng);
  if (decide(CorruptionKind::kNameTypo, keyboardTypo(name, nullptr), rng)) keyboardTypo(name, &rng);
  appendCsvField(buffer_, name);
  buffer_.push_back(',');

  // relation_type, relation_name
  std::string relationType = person.relationType;
  std::string relationName = person.relationName;
  if (decide(CorruptionKind::kRelationFatherForHusband, person.married, rng)) {
    relationType = "d/o";
    relationName = person.fatherName;
  }
  if (decide(CorruptionKind::kRelationMissing, true, rng)) {
    relationType.clear();
    relationName.clear();
  }
  const bool hasRelation = !relationName.empty();
  if (decide(CorruptionKind::kRelationNameHonorific,
             hasRelation && toggleHonorific(relationName, true, district.region, nullptr), rng))
    toggleHonorific(relationName, true, district.region, &rng);
  if (decide(CorruptionKind::kRelationNameTransliteration, hasRelation && transliterate(relationName, nullptr), rng))
    transliterate(relationName, &rng);
  if (decide(CorruptionKind::kRelationNameTypo, hasRelation && keyboardTypo(relationName, nullptr), rng))
    keyboardTypo(relationName, &rng);
  buffer_.append(relationType).push_back(',');
  appendCsvField(buffer_, relationName);
  buffer_.push_back(',');

  // gender
  buffer_.append(person.male ? "M," : "F,");

  // dob: at most one of the date corruptions, chosen by one draw.
  {
    const Date& d = person.dob;
    constexpr CorruptionKind kDateKinds[] = {CorruptionKind::kDobYearOnly, CorruptionKind::kDobJanuaryFirst,
                                             CorruptionKind::kDobDayMonthSwap, CorruptionKind::kDobFromAge};
    const bool applicable[] = {true, !(d.month == 1 && d.day == 1), d.day <= 12 && d.day != d.month, true};
    const double u = rng.unit();
    double cumulative = 0;
    int chosen = -1;
    for (int k = 0; k < 4; ++k) {
      cumulative += rates_[static_cast<std::size_t>(kDateKinds[k])];
      if (chosen < 0 && u < cumulative) chosen = k;
    }
    for (int k = 0; k < 4; ++k) {
      if (!applicable[k]) continue;
      CorruptionCount& count = counts_[static_cast<std::size_t>(kDateKinds[k])];
      ++count.eligible;
      if (chosen == k) ++count.applied;
    }
    if (chosen >= 0 && !applicable[chosen]) chosen = -1;
    switch (chosen) {
      case 0:
        appendPadded(buffer_, static_cast<std::uint64_t>(d.year), 4);
        break;
      case 1:
        appendDate(buffer_, d.year, 1, 1);
        break;
      case 2:
        appendDate(buffer_, d.year, d.day, d.month);
        break;
      case 3:  // "age 41" at the survey, written as 1 July of the implied year
        appendDate(buffer_, kReferenceYear - ageAt(d), 7, 1);
        break;
      default:
        appendDate(buffer_, d.year, d.month, d.day);
    }
    buffer_.push_back(',');
  }

  // district, tehsil, province
  const std::string& province = geography_.provinces()[static_cast<std::size_t>(district.province)].name;
  if (decide(CorruptionKind::kDistrictSpelling, true, rng)) {
    appendCsvField(buffer_, AdminGeography::spellingVariant(district.name, rng));
  } else {
    appendCsvField(buffer_, district.name);
  }
  buffer_.push_back(',');
  appendCsvField(buffer_, district.tehsils[static_cast<std::size_t>(place.tehsil)]);
  buffer_.push_back(',');
  appendCsvField(buffer_, province);
  buffer_.push_back(',');

  // address
  const bool reformattable = place.address.compare(0, 10, "House No. ") == 0;
  if (decide(CorruptionKind::kAddressFormat, reformattable, rng)) {
    appendCsvField(buffer_, reformatAddress(place.address, rng));
  } else {
    appendCsvField(buffer_, place.address);
  }
  buffer_.push_back(',');

  // phone: missing or changed, by one draw.
  {
    const bool present = !household.phone.empty();
    const double u = rng.unit();
    const double missingRate = rates_[static_cast<std::size_t>(CorruptionKind::kPhoneMissing)];
    const double changedRate = rates_[static_cast<std::size_t>(CorruptionKind::kPhoneChanged)];
    const bool missing = u < missingRate;
    const bool changed = !missing && u < missingRate + changedRate;
    if (present) {
      CorruptionCount& m = counts_[static_cast<std::size_t>(CorruptionKind::kPhoneMissing)];
      CorruptionCount& c = counts_[static_cast<std::size_t>(CorruptionKind::kPhoneChanged)];
      ++m.eligible;
      ++c.eligible;
      if (missing) ++m.applied;
      if (changed) ++c.applied;
      if (changed) {
        buffer_.append("03");
        buffer_.push_back(static_cast<char>('0' + rng.between(0, 4)));
        for (int i = 0; i < 8; ++i) buffer_.push_back(static_cast<char>('0' + rng.between(0, 9)));
      } else if (!missing) {
        buffer_.append(household.phone);
      }
    }
    buffer_.push_back(',');
  }

  // attributes
  appendPadded(buffer_, static_cast<std::uint64_t>(household.pmtHundredths / 100), 1);
  buffer_.push_back('.');
  appendPadded(buffer_, static_cast<std::uint64_t>(household.pmtHundredths % 100), 2);
  buffer_.push_back(',');
  appendPadded(buffer_, household.members.size(), 1);
  buffer_.push_back(',');
  buffer_.push_back(person.disability ? '1' : '0');
  buffer_.push_back(',');
  if (person.schoolEnrolled >= 0) buffer_.push_back(person.schoolEnrolled != 0 ? '1' : '0');
  if (spec_.registry) {
    buffer_.append(",HH-");
    appendPadded(buffer_, households_, 9);
  }
  buffer_.push_back('\n');
}

void SourceExtract::flushIfLarge() {
  if (buffer_.size() < kFlushBytes) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    throw SynthIoError(path_.string() + ": write failed: " + std::strerror(errno));
  buffer_.clear();
}

void SourceExtract::finish() {
  if (file_ == nullptr) return;
  const bool wrote = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size();
  buffer_.clear();
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!wrote || !closed) throw SynthIoError(path_.string() + ": write failed: " + std::strerror(errno));
}

}  // namespace nser::synth
