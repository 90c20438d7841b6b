// The population model: households of people with names, CNIC or B-form
// numbers, relations, dates of birth and NSER attributes, generated one
// household at a time so memory does not grow with the population.
//
// A household is drawn from its own RandomStream (seed, "household", index):
// a district (by province share and district weight) and tehsil; a head (a
// man aged 22-75, or in 8% of households a widow); his wife (and in 3% a
// second wife); children born to their mother between her ages 18 and 44,
// with 1.5% twin births; in some households the head's elderly parents, and a
// married eldest son with his wife and children. Relations follow the
// household: sons `s/o` and unmarried daughters `d/o` their father, wives
// `w/o` their husband (a widow stays `w/o` her late husband). Men of a
// household share its family name. Hard negatives arise on purpose: brothers
// share a father; twins share a father, a date of birth and an address; and
// 4% of heads take a name (and half of those their father's name too) from a
// small per-district pool, making namesakes in the same district.
//
// Dates: the registry's reference date is 2025-06-30; everyone is born by then.
// Not thread-safe; one generator per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/admin_geography.h"
#include "synth/cnic_allocator.h"

namespace nser::synth {

inline constexpr int kReferenceYear = 2025;

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
};

enum class Role : std::uint8_t { kHead, kWife, kHeadParent, kChild, kSonsWife, kGrandchild };

struct Person {
  std::uint64_t personId = 0;     // 1-based, unique in the population
  std::uint64_t householdId = 0;  // 1-based
  Role role = Role::kHead;
  bool male = true;
  std::string name;          // canonical full name, tokens separated by one space
  std::string relationType;  // canonical: "s/o", "d/o" or "w/o"
  std::string relationName;  // the father's or husband's name
  std::string fatherName;    // always set: a married woman's `d/o` alternative
  bool married = false;      // a married woman is `w/o` her husband
  Date dob;
  std::string cnic;          // 13 digits; a B-form number for children under 18
  bool disability = false;
  int schoolEnrolled = -1;   // 1/0 for ages 5-16, -1 otherwise
  int father = -1;           // member index within the household, or -1
  int mother = -1;
  int husband = -1;
  bool twin = false;
};

struct Household {
  std::uint64_t householdId = 0;
  int district = 0;        // index into AdminGeography::districts()
  int tehsil = 0;          // index into District::tehsils
  std::string address;
  std::string phone;       // "03XXXXXXXXX" or "" (no phone)
  int pmtHundredths = 0;   // PMT score x 100, 0..10000
  bool anyDisability = false;
  std::vector<Person> members;
};

// An address in the district's style: "House No. n, Street m, Mohalla X" in
// towns, "Chak No. 160/JB", "Goth X", "Killi X", ... in villages; then the tehsil.
std::string makeHouseholdAddress(const District& district, int tehsil, RandomStream& rng);

int ageAt(const Date& dob, int year = kReferenceYear, int month = 6, int day = 30);
int daysInMonth(int year, int month);

class PopulationGenerator {
 public:
  // Throws std::invalid_argument when people > CnicAllocator::kMaxPeople.
  PopulationGenerator(const AdminGeography& geography, std::uint64_t seed, std::uint64_t people);

  // Fills `out` (reusing its storage) with the next household; false when
  // `people` people have been produced. The last household may be cut short.
  bool next(Household& out);

  std::uint64_t peopleProduced() const { return produced_; }

 private:
  const AdminGeography& geography_;
  std::uint64_t seed_;
  std::uint64_t people_;
  std::uint64_t produced_ = 0;
  std::uint64_t households_ = 0;
  CnicAllocator cnic_;
};

}  // namespace nser::synth
