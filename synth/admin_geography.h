// AdminGeography: provinces, districts and tehsils of Pakistan read from
// pk_admin_codes.csv (columns Country_Code,Country,Province_Code,Province,
// District_Code,District,Tehsil_Code,Tehsil), with the weights the population
// model places households by.
//
// Province shares follow the census order of magnitude (Punjab 53%, Sindh 23%,
// Khyber Pakhtunkhwa 17%, Balochistan 6%, the rest 1%). Within a province a
// district's weight is 1, or larger for the big cities (a short table); tehsils
// of a district are equally likely. Each district also carries the CNIC
// province digit and the 2-digit district code used in CNICs issued there, and
// the name region that skews which names its people carry.
//
// Loading throws GeographyError naming the file and line; immutable afterwards.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "synth/random_stream.h"

namespace nser::synth {

class GeographyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which regional name lists skew a district's names.
enum class NameRegion : std::uint8_t { kPunjabi, kSindhi, kPashtun, kBaloch, kNorthern };
inline constexpr int kNameRegionCount = 5;

struct District {
  std::string name;
  std::string code;            // e.g. PK603
  int province = 0;            // index into AdminGeography::provinces()
  int cnicDigit = 3;           // 1 KP, 2 former FATA, 3 Punjab, 4 Sindh, 5 Balochistan, 6 ICT, 7 GB, 8 AJK
  int cnicDistrictCode = 0;    // 1..99, ordinal within the province
  NameRegion region = NameRegion::kPunjabi;
  double weight = 1.0;
  std::vector<std::string> tehsils;
};

struct Province {
  std::string name;  // as in the CSV, e.g. "Khyber Pakhtunkhwa"
  double share = 0.0;
  std::vector<int> districts;
  std::vector<double> cumulative;  // cumulative district weights, for picking
};

class AdminGeography {
 public:
  // Reads the CSV; throws GeographyError on a missing file, a bad header or a short line.
  static AdminGeography load(const std::string& path);
  // The admin codes file to use when none is given: $NSER_ADMIN_CODES,
  // ../shared/data/pk_admin_codes.csv and shared/data/... relative to the
  // current directory, then the repository's sibling shared/ folder. Throws
  // GeographyError listing the places tried when none exists.
  static std::string locateDefault();

  const std::vector<Province>& provinces() const { return provinces_; }
  const std::vector<District>& districts() const { return districts_; }
  // Index of the province with that exact name, or -1.
  int provinceIndex(std::string_view name) const;

  // A district drawn by province share, then district weight.
  int pickDistrict(RandomStream& rng) const;
  // A district of the given province, by district weight.
  int pickDistrictIn(int province, RandomStream& rng) const;

  // A spelling a clerk might use for the district name (never the canonical one).
  static std::string spellingVariant(const std::string& district, RandomStream& rng);

 private:
  void finish();
  std::vector<Province> provinces_;
  std::vector<District> districts_;
  std::vector<double> provinceCumulative_;
};

}  // namespace nser::synth
