#include "synth/population.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "synth/name_lists.h"
#include "synth/random_stream.h"

namespace nser::synth {
namespace {

constexpr double kFemaleHeadedShare = 0.08;
constexpr double kSecondWifeShare = 0.03;
constexpr double kTwinShare = 0.015;
constexpr double kNamesakeShare = 0.04;
constexpr int kNamesakePoolPerDistrict = 8;
constexpr double kTitleShare = 0.12;
constexpr double kMuhammadShare = 0.35;
constexpr double kFemaleSuffixShare = 0.35;

// Share of men who carry the family/caste/tribal name, by NameRegion.
constexpr double kFamilyNameShare[kNameRegionCount] = {0.6, 0.7, 0.85, 0.8, 0.7};
// Mean PMT score by province index (Punjab, Sindh, KP, Balochistan, ICT, AJK, GB).
constexpr int kPmtMean[] = {38, 32, 35, 28, 45, 40, 38};

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Date randomDateIn(int year, RandomStream& rng) {
  Date d;
  d.year = year;
  d.month = rng.between(1, year == kReferenceYear ? 6 : 12);  // born by the reference date
  d.day = rng.between(1, daysInMonth(year, d.month));
  return d;
}

// A man's name: [title] [Muhammad] given [family]. A "Shah" family is often "Syed ... Shah"
// (a lineage, so boys carry it too); titles such as Haji or Malik are for grown men.
std::string maleName(NameRegion region, std::string_view family, RandomStream& rng, bool child = false) {
  std::string name;
  const std::string_view given = pickMaleGiven(region, rng);
  const bool syed = family == "Shah" && rng.chance(0.6);
  if (syed) {
    name = "Syed ";
  } else if (!child && rng.chance(kTitleShare)) {
    name.append(pickMaleTitle(region, rng)).push_back(' ');
  }
  if (given.find("Muhammad") == std::string_view::npos && rng.chance(kMuhammadShare)) name += "Muhammad ";
  name.append(given);
  if (!family.empty() && name.find(family) == std::string::npos) name.append(" ").append(family);
  return name;
}

// A woman's name: given, often with Bibi/Begum/Khatoon/Mai, sometimes with the family name.
std::string femaleName(NameRegion region, std::string_view family, RandomStream& rng) {
  std::string name(pickFemaleGiven(region, rng));
  if (name.find("Bibi") != std::string::npos) return name;
  if (rng.chance(kFemaleSuffixShare)) {
    name.append(" ").append(pickFemaleSuffix(region, rng));
  } else if (!family.empty() && rng.chance(0.12)) {
    name.append(" ").append(family);
  }
  return name;
}

std::string_view familyFor(NameRegion region, RandomStream& rng) {
  return rng.chance(kFamilyNameShare[static_cast<int>(region)]) ? pickFamilyName(region, rng) : std::string_view();
}

void appendNumber(std::string& out, long value) { out += std::to_string(value); }

}  // namespace

std::string makeHouseholdAddress(const District& district, int tehsil, RandomStream& rng) {
  std::string address;
  const std::string_view kind = pickLocalityKind(district.region, rng);
  if (kind == "Mohalla") {
    address = "House No. ";
    appendNumber(address, rng.between(1, 999));
    address += ", Street ";
    appendNumber(address, rng.between(1, 40));
    address += ", Mohalla ";
    address.append(pickLocalityName(rng));
  } else if (kind == "Chak") {
    address = "Chak No. ";
    appendNumber(address, rng.between(1, 600));
    constexpr std::string_view kSuffix[] = {"GB", "JB", "RB", "WB", "EB"};
    address.append("/").append(kSuffix[rng.below(5)]);
  } else {
    address.append(kind).append(" ").append(pickLocalityName(rng));
  }
  address.append(", Tehsil ").append(district.tehsils[static_cast<std::size_t>(tehsil)]);
  return address;
}

namespace {

std::string makePhone(RandomStream& rng) {
  std::string phone = "03";
  phone.push_back(static_cast<char>('0' + rng.between(0, 4)));
  for (int i = 0; i < 8; ++i) phone.push_back(static_cast<char>('0' + rng.between(0, 9)));
  return phone;
}

// Head's age: between 22 and 75, most often 30-50 (sum of two uniforms).
int headBirthYear(RandomStream& rng) { return kReferenceYear - (22 + rng.between(0, 27) + rng.between(0, 26)); }

int childrenWanted(RandomStream& rng) {
  constexpr unsigned kWeights[] = {6, 8, 14, 17, 17, 14, 10, 7, 5};
  unsigned u = static_cast<unsigned>(rng.below(98));
  for (int i = 0; i < 9; ++i) {
    if (u < kWeights[i]) return i;
    u -= kWeights[i];
  }
  return 8;
}

}  // namespace

int daysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

int ageAt(const Date& dob, int year, int month, int day) {
  int age = year - dob.year;
  if (dob.month > month || (dob.month == month && dob.day > day)) --age;
  return age;
}

PopulationGenerator::PopulationGenerator(const AdminGeography& geography, std::uint64_t seed, std::uint64_t people)
    : geography_(geography), seed_(seed), people_(people), cnic_(seed) {
  if (people > CnicAllocator::kMaxPeople)
    throw std::invalid_argument("population: at most " + std::to_string(CnicAllocator::kMaxPeople) + " people");
}

bool PopulationGenerator::next(Household& h) {
  if (produced_ >= people_) return false;
  ++households_;
  RandomStream rng(seed_, purposeCode("household"), households_);
  h.householdId = households_;
  h.district = geography_.pickDistrict(rng);
  const District& district = geography_.districts()[static_cast<std::size_t>(h.district)];
  h.tehsil = static_cast<int>(rng.below(district.tehsils.size()));
  const NameRegion region = district.region;
  h.address = makeHouseholdAddress(district, h.tehsil, rng);
  h.phone = rng.chance(0.12) ? std::string() : makePhone(rng);
  h.members.clear();

  std::string family(familyFor(region, rng));
  std::string headName;
  std::string headFatherName;
  const bool femaleHead = rng.chance(kFemaleHeadedShare);
  if (!femaleHead && rng.chance(kNamesakeShare)) {
    // A name from the district's small pool: other households of this district draw it too.
    RandomStream pool(seed_, purposeCode("namesake"), static_cast<std::uint64_t>(h.district),
                      rng.below(kNamesakePoolPerDistrict));
    family = std::string(familyFor(region, pool));
    headName = maleName(region, family, pool);
    std::string poolFather = maleName(region, family, pool);
    if (rng.chance(0.5)) headFatherName = std::move(poolFather);
  }
  if (headFatherName.empty()) headFatherName = maleName(region, family, rng);

  auto add = [&](Role role, bool male) -> Person& {
    Person& p = h.members.emplace_back();
    p.role = role;
    p.male = male;
    return p;
  };

  // Head (and, for a widow, her late husband, who is not a member).
  const int headYear = headBirthYear(rng);
  std::string husbandOfHead;  // for a female head
  {
    Person& head = add(Role::kHead, !femaleHead);
    if (femaleHead) {
      head.dob = randomDateIn(kReferenceYear - rng.between(35, 75), rng);
      head.name = femaleName(region, family, rng);
      husbandOfHead = maleName(region, family, rng);
      head.fatherName = maleName(region, familyFor(region, rng), rng);
      head.married = true;
      head.relationType = "w/o";
      head.relationName = husbandOfHead;
    } else {
      head.dob = randomDateIn(headYear, rng);
      head.name = headName.empty() ? maleName(region, family, rng) : headName;
      head.fatherName = headFatherName;
      head.relationType = "s/o";
      head.relationName = headFatherName;
    }
  }
  const int headYearActual = h.members[0].dob.year;

  // Wives of a male head.
  std::vector<int> mothers;
  if (!femaleHead && rng.chance(0.92)) {
    const int wives = rng.chance(kSecondWifeShare) ? 2 : 1;
    for (int w = 0; w < wives; ++w) {
      const int year = std::min(kReferenceYear - 19, headYearActual + rng.between(0, 12) + w * rng.between(0, 10));
      Person& wife = add(Role::kWife, false);
      wife.dob = randomDateIn(year, rng);
      wife.name = femaleName(region, family, rng);
      wife.fatherName = maleName(region, familyFor(region, rng), rng);
      wife.married = true;
      wife.husband = 0;
      wife.relationType = "w/o";
      wife.relationName = h.members[0].name;
      mothers.push_back(static_cast<int>(h.members.size()) - 1);
    }
  }

  // Elderly parents of a younger head.
  if (!femaleHead && kReferenceYear - headYearActual <= 55 && rng.chance(0.22)) {
    const int fatherYear = headYearActual - rng.between(20, 40);
    int fatherIndex = -1;
    if (rng.chance(0.5)) {
      Person& father = add(Role::kHeadParent, true);
      father.dob = randomDateIn(fatherYear, rng);
      father.name = h.members[0].fatherName;
      father.fatherName = maleName(region, family, rng);
      father.relationType = "s/o";
      father.relationName = father.fatherName;
      fatherIndex = static_cast<int>(h.members.size()) - 1;
      h.members[0].father = fatherIndex;
    }
    if (fatherIndex < 0 || rng.chance(0.8)) {
      Person& mother = add(Role::kHeadParent, false);
      mother.dob = randomDateIn(std::min(headYearActual - 18, fatherYear + rng.between(0, 10)), rng);
      mother.name = femaleName(region, family, rng);
      mother.fatherName = maleName(region, familyFor(region, rng), rng);
      mother.married = true;
      mother.husband = fatherIndex;
      mother.relationType = "w/o";
      mother.relationName = h.members[0].fatherName;
      h.members[0].mother = static_cast<int>(h.members.size()) - 1;
    }
  }

  // Children of the head, born to a wife (or to the head herself, or to a late mother).
  const int motherYearFallback = femaleHead ? headYearActual : headYearActual + rng.between(0, 8);
  const std::string childFatherName = femaleHead ? husbandOfHead : h.members[0].name;  // a copy: adds reallocate
  const int childFather = femaleHead ? -1 : 0;
  const int wanted = childrenWanted(rng);
  const std::size_t firstChild = h.members.size();
  for (int c = 0; c < wanted; ++c) {
    const int mother = femaleHead ? 0 : (mothers.empty() ? -1 : mothers[rng.below(mothers.size())]);
    const int motherYear = mother >= 0 ? h.members[static_cast<std::size_t>(mother)].dob.year : motherYearFallback;
    const int lastBirthAge = std::min(44, kReferenceYear - motherYear);
    if (lastBirthAge < 18) break;
    const int year = motherYear + rng.between(18, lastBirthAge);
    const bool twins = rng.chance(kTwinShare);
    const Date dob = randomDateIn(year, rng);
    for (int t = 0; t < (twins ? 2 : 1); ++t) {
      const bool male = rng.chance(0.51);
      // Most daughters past 24 have married and left.
      if (!male && kReferenceYear - year > 24 && rng.chance(0.8)) continue;
      Person& child = add(Role::kChild, male);
      child.dob = dob;
      child.twin = twins;
      child.name = male ? maleName(region, family, rng, kReferenceYear - year < 25) : femaleName(region, family, rng);
      child.fatherName = childFatherName;
      child.relationType = male ? "s/o" : "d/o";
      child.relationName = childFatherName;
      child.father = childFather;
      child.mother = mother;
    }
  }
  std::stable_sort(h.members.begin() + static_cast<std::ptrdiff_t>(firstChild), h.members.end(),
                   [](const Person& a, const Person& b) { return a.dob.year < b.dob.year; });

  // A married eldest son living with his parents, his wife and their children.
  for (std::size_t i = firstChild; i < h.members.size(); ++i) {
    if (!h.members[i].male) continue;
    const int sonYear = h.members[i].dob.year;
    if (kReferenceYear - sonYear < 22 || !rng.chance(0.4)) break;
    const std::string sonName = h.members[i].name;
    const int son = static_cast<int>(i);
    Person& wife = add(Role::kSonsWife, false);
    wife.dob = randomDateIn(std::min(kReferenceYear - 19, sonYear + rng.between(0, 6)), rng);
    wife.name = femaleName(region, family, rng);
    wife.fatherName = maleName(region, familyFor(region, rng), rng);
    wife.married = true;
    wife.husband = son;
    wife.relationType = "w/o";
    wife.relationName = sonName;
    const int wifeIndex = static_cast<int>(h.members.size()) - 1;
    const int wifeYear = wife.dob.year;
    if (kReferenceYear - wifeYear >= 19 && rng.chance(0.7)) {
      const int grandchildren = rng.between(1, 3);
      for (int g = 0; g < grandchildren; ++g) {
        const int year = wifeYear + rng.between(18, std::min(44, kReferenceYear - wifeYear));
        const bool male = rng.chance(0.51);
        Person& child = add(Role::kGrandchild, male);
        child.dob = randomDateIn(year, rng);
        child.name = male ? maleName(region, family, rng, true) : femaleName(region, family, rng);
        child.fatherName = sonName;
        child.relationType = male ? "s/o" : "d/o";
        child.relationName = sonName;
        child.father = son;
        child.mother = wifeIndex;
      }
    }
    break;
  }

  // Cut the last household short at the requested population.
  const std::uint64_t remaining = people_ - produced_;
  if (h.members.size() > remaining) h.members.resize(static_cast<std::size_t>(remaining));

  // Identifiers and attributes.
  const int pmtMean = kPmtMean[std::min<std::size_t>(static_cast<std::size_t>(district.province), 6)];
  int pmt = pmtMean * 100 + static_cast<int>(rng.below(3001) + rng.below(3001) + rng.below(3001)) - 4500 -
            std::max(0, static_cast<int>(h.members.size()) - 6) * 100;
  h.pmtHundredths = std::clamp(pmt, 0, 10000);
  h.anyDisability = false;
  for (Person& p : h.members) {
    p.personId = ++produced_;
    p.householdId = h.householdId;
    const int age = ageAt(p.dob);
    p.cnic = cnic_.digits(p.personId - 1, district.cnicDigit, district.cnicDistrictCode, h.tehsil + 1, p.male);
    p.disability = rng.chance(age >= 60 ? 0.08 : 0.025);
    h.anyDisability = h.anyDisability || p.disability;
    p.schoolEnrolled = (age >= 5 && age <= 16) ? (rng.chance(p.male ? 0.75 : 0.62) ? 1 : 0) : -1;
  }
  return true;
}

}  // namespace nser::synth
