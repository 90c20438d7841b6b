#include "synth/population.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "tests/synth/synth_test_data.h"

namespace nser::synth {
namespace {

constexpr std::uint64_t kPeople = 40000;

bool validDate(const Date& d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= daysInMonth(d.year, d.month) &&
         ageAt(d) >= 0;
}

TEST(Population, ProducesExactlyTheRequestedPeopleWithSequentialIds) {
  PopulationGenerator generator(testing::geography(), 3, 1234);
  Household h;
  std::uint64_t expected = 1;
  std::uint64_t households = 0;
  while (generator.next(h)) {
    ++households;
    EXPECT_EQ(h.householdId, households);
    for (const Person& p : h.members) {
      EXPECT_EQ(p.personId, expected++);
      EXPECT_EQ(p.householdId, h.householdId);
    }
  }
  EXPECT_EQ(expected - 1, 1234u);
  EXPECT_EQ(generator.peopleProduced(), 1234u);
}

TEST(Population, SameSeedSameHouseholdsDifferentSeedDifferent) {
  auto fingerprint = [](std::uint64_t seed) {
    PopulationGenerator generator(testing::geography(), seed, 3000);
    Household h;
    std::string all;
    while (generator.next(h))
      for (const Person& p : h.members)
        all += p.name + "|" + p.relationName + "|" + p.cnic + "|" + std::to_string(p.dob.year) + "\n";
    return all;
  };
  EXPECT_EQ(fingerprint(5), fingerprint(5));
  EXPECT_NE(fingerprint(5), fingerprint(6));
}

TEST(Population, RelationsAndAgesAreConsistentWithTheHousehold) {
  PopulationGenerator generator(testing::geography(), 21, kPeople);
  Household h;
  std::size_t childLinks = 0;
  std::size_t marriedWomen = 0;
  while (generator.next(h)) {
    ASSERT_FALSE(h.members.empty());
    EXPECT_EQ(h.members[0].role, Role::kHead);
    EXPECT_GE(h.pmtHundredths, 0);
    EXPECT_LE(h.pmtHundredths, 10000);
    for (const Person& p : h.members) {
      SCOPED_TRACE("person " + std::to_string(p.personId));
      ASSERT_TRUE(validDate(p.dob));
      EXPECT_FALSE(p.name.empty());
      EXPECT_EQ(p.name.find("  "), std::string::npos);
      EXPECT_FALSE(p.fatherName.empty());
      // Relation type follows gender and marriage.
      if (p.male) {
        EXPECT_EQ(p.relationType, "s/o");
        EXPECT_EQ(p.relationName, p.fatherName);
      } else if (p.married) {
        EXPECT_EQ(p.relationType, "w/o");
        ++marriedWomen;
      } else {
        EXPECT_EQ(p.relationType, "d/o");
        EXPECT_EQ(p.relationName, p.fatherName);
      }
      if (p.role == Role::kWife || p.role == Role::kSonsWife) {
        EXPECT_GE(ageAt(p.dob), 18);
        ASSERT_GE(p.husband, 0);
        const Person& husband = h.members[static_cast<std::size_t>(p.husband)];
        EXPECT_TRUE(husband.male);
        EXPECT_EQ(p.relationName, husband.name) << "a wife is w/o her husband";
      }
      // Parents are at least 15 years older than their children, and named in s/o, d/o.
      if (p.father >= 0) {
        const Person& father = h.members[static_cast<std::size_t>(p.father)];
        EXPECT_TRUE(father.male);
        EXPECT_GE(p.dob.year - father.dob.year, 15);
        EXPECT_EQ(p.fatherName, father.name);
        ++childLinks;
      }
      if (p.mother >= 0) {
        const Person& mother = h.members[static_cast<std::size_t>(p.mother)];
        EXPECT_FALSE(mother.male);
        EXPECT_GE(p.dob.year - mother.dob.year, 15);
      }
      const int age = ageAt(p.dob);
      EXPECT_EQ(p.schoolEnrolled >= 0, age >= 5 && age <= 16);
      if (p.role == Role::kHead) {
        EXPECT_GE(age, 21);
      }
      EXPECT_LE(age, 100);
    }
  }
  EXPECT_GT(childLinks, kPeople / 3);
  EXPECT_GT(marriedWomen, kPeople / 10);
}

TEST(Population, HardNegativesArePresent) {
  PopulationGenerator generator(testing::geography(), 8, kPeople);
  Household h;
  std::size_t twinPairs = 0;
  std::size_t brotherPairs = 0;
  std::map<std::pair<int, std::string>, std::set<std::uint64_t>> householdsByDistrictAndName;
  while (generator.next(h)) {
    for (std::size_t i = 0; i < h.members.size(); ++i) {
      const Person& a = h.members[i];
      if (a.role == Role::kHead && a.male) householdsByDistrictAndName[{h.district, a.name}].insert(h.householdId);
      for (std::size_t j = i + 1; j < h.members.size(); ++j) {
        const Person& b = h.members[j];
        if (a.role != Role::kChild || b.role != Role::kChild) continue;
        if (a.twin && b.twin && a.dob.year == b.dob.year && a.dob.month == b.dob.month && a.dob.day == b.dob.day)
          ++twinPairs;
        if (a.male && b.male && a.father >= 0 && a.father == b.father) ++brotherPairs;
      }
    }
  }
  std::size_t namesakes = 0;
  for (const auto& [key, households] : householdsByDistrictAndName) namesakes += households.size() > 1;
  EXPECT_GT(twinPairs, 10u);
  EXPECT_GT(brotherPairs, 1000u);
  EXPECT_GT(namesakes, 20u) << "heads with the same name in the same district";
}

TEST(Population, ProvinceSharesFollowPopulation) {
  const AdminGeography& geo = testing::geography();
  PopulationGenerator generator(geo, 2, 100000);
  Household h;
  std::map<std::string, double> people;
  double total = 0;
  while (generator.next(h)) {
    const District& d = geo.districts()[static_cast<std::size_t>(h.district)];
    people[geo.provinces()[static_cast<std::size_t>(d.province)].name] += static_cast<double>(h.members.size());
    total += static_cast<double>(h.members.size());
  }
  EXPECT_NEAR(people["Punjab"] / total, 0.53, 0.03);
  EXPECT_NEAR(people["Sindh"] / total, 0.23, 0.03);
  EXPECT_NEAR(people["Khyber Pakhtunkhwa"] / total, 0.17, 0.03);
  EXPECT_NEAR(people["Balochistan"] / total, 0.06, 0.02);
}

TEST(Population, RegionalNamesFollowTheProvince) {
  const AdminGeography& geo = testing::geography();
  PopulationGenerator generator(geo, 4, 60000);
  Household h;
  std::map<std::string, std::pair<int, int>> khanByProvince;  // province -> (men named Khan, men)
  std::map<std::string, std::pair<int, int>> muhammad;
  while (generator.next(h)) {
    const District& d = geo.districts()[static_cast<std::size_t>(h.district)];
    const std::string& province = geo.provinces()[static_cast<std::size_t>(d.province)].name;
    for (const Person& p : h.members) {
      if (!p.male) continue;
      auto& [hits, men] = muhammad[province];
      ++men;
      hits += p.name.find("Muhammad") != std::string::npos;
      auto& [khan, men2] = khanByProvince[province];
      ++men2;
      khan += p.name.find("Khan") != std::string::npos;
    }
  }
  const auto share = [](const std::pair<int, int>& p) { return static_cast<double>(p.first) / p.second; };
  EXPECT_GT(share(muhammad["Punjab"]), 0.3) << "Muhammad is a very common first token for men";
  EXPECT_GT(share(khanByProvince["Khyber Pakhtunkhwa"]), 2 * share(khanByProvince["Sindh"]))
      << "Khan is far more common among Pashtun names";
}

}  // namespace
}  // namespace nser::synth
