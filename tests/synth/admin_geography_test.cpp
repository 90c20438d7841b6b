#include "synth/admin_geography.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/temp_dir.h"
#include "tests/synth/synth_test_data.h"

namespace nser::synth {
namespace {

const District& find(const AdminGeography& geo, const std::string& name) {
  for (const District& d : geo.districts())
    if (d.name == name) return d;
  throw std::runtime_error("no district " + name);
}

TEST(AdminGeography, LoadsDistrictsTehsilsAndCnicCodes) {
  const AdminGeography& geo = testing::geography();
  EXPECT_GT(geo.districts().size(), 150u);
  std::size_t tehsils = 0;
  for (const District& d : geo.districts()) {
    EXPECT_FALSE(d.tehsils.empty()) << d.name;
    EXPECT_GE(d.cnicDistrictCode, 1);
    EXPECT_LE(d.cnicDistrictCode, 99);
    tehsils += d.tehsils.size();
  }
  EXPECT_GT(tehsils, 550u);
  EXPECT_EQ(find(geo, "Lahore").cnicDigit, 3);
  EXPECT_EQ(find(geo, "Hyderabad").cnicDigit, 4);
  EXPECT_EQ(find(geo, "Peshawar").cnicDigit, 1);
  EXPECT_EQ(find(geo, "Bajaur").cnicDigit, 2);
  EXPECT_EQ(find(geo, "Gwadar").cnicDigit, 5);
  EXPECT_EQ(find(geo, "Islamabad").cnicDigit, 6);
  EXPECT_EQ(find(geo, "Hunza").cnicDigit, 7);
  EXPECT_EQ(find(geo, "Quetta").region, NameRegion::kPashtun);
  EXPECT_EQ(find(geo, "Gwadar").region, NameRegion::kBaloch);
}

TEST(AdminGeography, SpellingVariantsDiffer) {
  std::set<std::string> seen;
  for (std::uint64_t i = 0; i < 200; ++i) {
    RandomStream rng(3, 4, i);
    const std::string v = AdminGeography::spellingVariant("Dera Ghazi Khan", rng);
    EXPECT_NE(v, "Dera Ghazi Khan");
    seen.insert(v);
    RandomStream rng2(3, 5, i);
    EXPECT_NE(AdminGeography::spellingVariant("Swat", rng2), "Swat");
  }
  EXPECT_TRUE(seen.count("D.G. Khan"));
  EXPECT_TRUE(seen.count("DG Khan"));
}

TEST(AdminGeography, BadFilesFailNamingTheFile) {
  nser::testing::TempDir dir;
  EXPECT_THROW(AdminGeography::load((dir / "missing.csv").string()), GeographyError);
  nser::testing::writeFile(dir / "bad.csv", "a,b,c\n");
  try {
    AdminGeography::load((dir / "bad.csv").string());
    FAIL() << "expected GeographyError";
  } catch (const GeographyError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv: line 1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nser::synth
