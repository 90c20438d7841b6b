#include "synth/cnic_allocator.h"

#include <gtest/gtest.h>

#include <map>
#include <unordered_set>

#include "linkage/cnic.h"
#include "synth/population.h"
#include "tests/synth/synth_test_data.h"

namespace nser::synth {
namespace {

TEST(CnicAllocator, PermutationIsInjectiveOnASampleAndStaysInRange) {
  const CnicAllocator allocator(7);
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 300000; ++i) {
    const std::uint64_t v = allocator.permute(i);
    ASSERT_LT(v, CnicAllocator::kMaxPeople);
    ASSERT_TRUE(seen.insert(v).second) << "collision at index " << i;
  }
  // The top of the range too.
  for (std::uint64_t i = CnicAllocator::kMaxPeople - 50000; i < CnicAllocator::kMaxPeople; ++i)
    ASSERT_TRUE(seen.insert(allocator.permute(i)).second);
}

TEST(CnicAllocator, DigitsCarryProvinceAreaAndGender) {
  const CnicAllocator allocator(1);
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const bool male = i % 3 != 0;
    const std::string d = allocator.digits(i, 4, 17, 3, male);
    ASSERT_EQ(d.size(), 13u);
    for (char c : d) ASSERT_TRUE(c >= '0' && c <= '9');
    EXPECT_EQ(d[0], '4');
    EXPECT_EQ(d.substr(1, 4), "1703");
    EXPECT_EQ((d[12] - '0') % 2 == 1, male) << d;
  }
  EXPECT_EQ(CnicAllocator::withDashes("3520212345671"), "35202-1234567-1");
}

TEST(CnicAllocator, SeedChangesTheNumbers) {
  EXPECT_NE(CnicAllocator(1).digits(5, 3, 1, 1, true), CnicAllocator(2).digits(5, 3, 1, 1, true));
}

TEST(CnicAllocator, PopulationCnicsAreUniqueAndConsistentWithPlaceAndGender) {
  const AdminGeography& geo = testing::geography();
  PopulationGenerator generator(geo, 11, 60000);
  Household h;
  std::unordered_set<std::string> seen;
  std::size_t fata = 0;
  while (generator.next(h)) {
    const District& district = geo.districts()[static_cast<std::size_t>(h.district)];
    const std::string& province = geo.provinces()[static_cast<std::size_t>(district.province)].name;
    for (const Person& p : h.members) {
      ASSERT_EQ(p.cnic.size(), 13u);
      ASSERT_TRUE(seen.insert(p.cnic).second) << "duplicate CNIC for person " << p.personId;
      const int digit = p.cnic[0] - '0';
      const std::map<std::string, int> expectedDigit = {
          {"Punjab", 3}, {"Sindh", 4}, {"Balochistan", 5}, {"Islamabad", 6}, {"Gilgit Baltistan", 7}, {"Azad Kashmir", 8}};
      if (const auto it = expectedDigit.find(province); it != expectedDigit.end()) {
        EXPECT_EQ(digit, it->second) << province;
      }
      if (province == "Khyber Pakhtunkhwa") {
        EXPECT_TRUE(digit == 1 || digit == 2);
        fata += digit == 2;
      }
      EXPECT_EQ((p.cnic[12] - '0') % 2 == 1, p.male) << "gender digit of person " << p.personId;
      EXPECT_EQ(std::stoi(p.cnic.substr(1, 2)), district.cnicDistrictCode);
      // The project's own validator agrees (it does not know AJK's digit 8 yet).
      const linkage::CnicResult checked = linkage::canonicaliseCnic(
          CnicAllocator::withDashes(p.cnic), p.male ? linkage::Gender::male : linkage::Gender::female);
      EXPECT_EQ(checked.flags & ~(digit == 8 ? std::uint32_t{linkage::kCnicUnknownProvince} : 0u), 0u)
          << checked.reason;
      EXPECT_EQ(std::stoi(p.cnic.substr(3, 2)), h.tehsil + 1);
    }
  }
  EXPECT_EQ(seen.size(), 60000u);
  EXPECT_GT(fata, 0u) << "merged tribal districts should issue CNICs starting with 2";
}

}  // namespace
}  // namespace nser::synth
