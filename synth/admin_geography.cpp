#include "synth/admin_geography.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "synth/csv_format.h"

namespace nser::synth {
namespace {

struct ProvinceFacts {
  std::string_view name;
  double share;
  int cnicDigit;
  NameRegion region;
};

// Shares: order of magnitude of the 2023 census; the small territories split the last 1%.
constexpr ProvinceFacts kProvinceFacts[] = {
    {"Punjab", 0.53, 3, NameRegion::kPunjabi},
    {"Sindh", 0.23, 4, NameRegion::kSindhi},
    {"Khyber Pakhtunkhwa", 0.17, 1, NameRegion::kPashtun},
    {"Balochistan", 0.06, 5, NameRegion::kBaloch},
    {"Islamabad", 0.004, 6, NameRegion::kPunjabi},
    {"Azad Kashmir", 0.004, 8, NameRegion::kNorthern},
    {"Gilgit Baltistan", 0.002, 7, NameRegion::kNorthern},
};

// Big cities hold many more households than a rural district.
constexpr std::pair<std::string_view, double> kDistrictWeights[] = {
    {"Lahore", 8},          {"Faisalabad", 5},     {"Rawalpindi", 4},     {"Gujranwala", 4},
    {"Multan", 3.5},        {"Sialkot", 3},        {"Sargodha", 3},       {"Bahawalpur", 3},
    {"Rahim Yar Khan", 3},  {"Muzaffargarh", 3},   {"Sheikhupura", 2.5},  {"Kasur", 2.5},
    {"Okara", 2.5},         {"Dera Ghazi Khan", 2}, {"Central Karachi", 3}, {"East Karachi", 3},
    {"Korangi Karachi", 3}, {"Malir Karachi", 2},  {"South Karachi", 2},  {"West Karachi", 3},
    {"Hyderabad", 2.5},     {"Peshawar", 4},       {"Mardan", 2.5},       {"Swat", 2.5},
    {"Quetta", 4},
};

// Merged tribal districts: CNICs issued there start with 2 (former FATA).
constexpr std::string_view kFormerFata[] = {"Bajaur", "Khyber", "Kurram", "Mohmand",
                                            "North Waziristan", "Orakzai", "South Waziristan"};
// Pashtun-majority districts of Balochistan.
constexpr std::string_view kPashtunBalochistan[] = {"Quetta", "Pishin", "Killa Abdullah", "Chaman", "Zhob",
                                                   "Loralai", "Killa Saifullah", "Musakhel", "Sherani",
                                                   "Ziarat", "Harnai", "Duki"};

template <typename Range>
bool contains(const Range& range, std::string_view name) {
  return std::find(std::begin(range), std::end(range), name) != std::end(range);
}

// Spellings seen in registers for districts whose names travel in several forms.
constexpr std::pair<std::string_view, std::string_view> kKnownVariants[] = {
    {"Dera Ghazi Khan", "D.G. Khan"},   {"Dera Ghazi Khan", "DG Khan"},       {"D. I. Khan", "Dera Ismail Khan"},
    {"D. I. Khan", "D.I.Khan"},         {"D. I. Khan", "DI Khan"},            {"Shaheed Benazir Abad", "Nawabshah"},
    {"Shaheed Benazir Abad", "Shaheed Benazirabad"}, {"Kambar Shahdad Kot", "Qambar Shahdadkot"},
    {"Umer Kot", "Umerkot"},            {"Mirpur Khas", "Mirpurkhas"},        {"Naushahro Feroze", "Naushero Feroz"},
    {"Toba Tek Singh", "T.T. Singh"},   {"Rahim Yar Khan", "R.Y. Khan"},      {"Rahim Yar Khan", "Rahimyar Khan"},
    {"Mandi Bahauddin", "M.B. Din"},    {"Mandi Bahauddin", "Mandi Bahaudin"}, {"Jaffarabad", "Jafarabad"},
    {"Killa Abdullah", "Qilla Abdullah"}, {"Killa Saifullah", "Qila Saifullah"}, {"Kachhi", "Bolan"},
    {"Lasbela", "Las Bela"},            {"Leiah", "Layyah"},                  {"Muzaffargarh", "Muzafargarh"},
    {"Tharparkar", "Thar"},             {"Sheikhupura", "Shekhupura"},        {"Abbottabad", "Abbotabad"},
    {"Nowshera", "Naushera"},           {"Charsadda", "Charsada"},            {"Lakki Marwat", "Lakki"},
    {"Bahawalnagar", "Bahawal Nagar"},  {"Nankana Sahib", "Nankana"},         {"Central Karachi", "Karachi Central"},
    {"East Karachi", "Karachi East"},   {"Korangi Karachi", "Karachi Korangi"}, {"Malir Karachi", "Karachi Malir"},
    {"South Karachi", "Karachi South"}, {"West Karachi", "Karachi West"},     {"Jhang", "Jhang Sadar"},
    {"Sujawal", "Sajawal"},             {"Pakpattan", "Pak Pattan"},          {"Hafizabad", "Hafiz Abad"},
};

std::string upper(std::string text) {
  for (char& c : text)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return text;
}

}  // namespace

AdminGeography AdminGeography::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw GeographyError(path + ": cannot open the admin codes file");
  std::string line;
  std::vector<std::string> fields;
  if (!std::getline(in, line) || !splitCsvLine(line, fields) || fields.size() < 8 || fields[3] != "Province" ||
      fields[5] != "District" || fields[7] != "Tehsil")
    throw GeographyError(path + ": line 1: expected header Country_Code,Country,Province_Code,Province,"
                                "District_Code,District,Tehsil_Code,Tehsil");
  AdminGeography geo;
  for (const ProvinceFacts& facts : kProvinceFacts) {
    Province p;
    p.name = std::string(facts.name);
    p.share = facts.share;
    geo.provinces_.push_back(std::move(p));
  }
  std::map<std::string, int> districtByCode;
  int lineNumber = 1;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty() || line == "\r") continue;
    if (!splitCsvLine(line, fields) || fields.size() < 8)
      throw GeographyError(path + ": line " + std::to_string(lineNumber) + ": expected 8 fields");
    const int province = geo.provinceIndex(fields[3]);
    if (province < 0)
      throw GeographyError(path + ": line " + std::to_string(lineNumber) + ": unknown province in column Province");
    auto [it, inserted] = districtByCode.try_emplace(fields[4], static_cast<int>(geo.districts_.size()));
    if (inserted) {
      District d;
      d.name = fields[5];
      d.code = fields[4];
      d.province = province;
      const ProvinceFacts& facts = kProvinceFacts[province];
      d.cnicDigit = contains(kFormerFata, d.name) ? 2 : facts.cnicDigit;
      d.region = facts.region;
      if (facts.name == "Balochistan" && contains(kPashtunBalochistan, d.name)) d.region = NameRegion::kPashtun;
      for (const auto& [name, weight] : kDistrictWeights)
        if (name == d.name) d.weight = weight;
      geo.provinces_[province].districts.push_back(it->second);
      d.cnicDistrictCode = static_cast<int>(geo.provinces_[province].districts.size());
      geo.districts_.push_back(std::move(d));
    }
    geo.districts_[it->second].tehsils.push_back(fields[7]);
  }
  if (geo.districts_.empty()) throw GeographyError(path + ": no districts");
  geo.finish();
  return geo;
}

void AdminGeography::finish() {
  double total = 0;
  for (Province& p : provinces_) {
    double running = 0;
    for (int d : p.districts) {
      running += districts_[d].weight;
      p.cumulative.push_back(running);
    }
    if (!p.districts.empty()) total += p.share;
    provinceCumulative_.push_back(total);
  }
}

std::string AdminGeography::locateDefault() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("NSER_ADMIN_CODES"); env != nullptr && *env != '\0') candidates.emplace_back(env);
  candidates.emplace_back("../shared/data/pk_admin_codes.csv");
  candidates.emplace_back("shared/data/pk_admin_codes.csv");
  candidates.emplace_back("../../shared/data/pk_admin_codes.csv");
  candidates.emplace_back(NSER_SYNTH_REPO_ADMIN_CODES);
  std::string tried;
  for (const std::string& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  throw GeographyError("cannot find pk_admin_codes.csv (tried " + tried + "); pass --admin-codes FILE");
}

int AdminGeography::provinceIndex(std::string_view name) const {
  for (std::size_t i = 0; i < provinces_.size(); ++i)
    if (provinces_[i].name == name) return static_cast<int>(i);
  return -1;
}

int AdminGeography::pickDistrict(RandomStream& rng) const {
  const double u = rng.unit() * provinceCumulative_.back();
  const auto it = std::upper_bound(provinceCumulative_.begin(), provinceCumulative_.end(), u);
  int province = static_cast<int>(std::min<std::ptrdiff_t>(it - provinceCumulative_.begin(),
                                                           static_cast<std::ptrdiff_t>(provinces_.size()) - 1));
  while (provinces_[province].districts.empty()) province = (province + 1) % static_cast<int>(provinces_.size());
  return pickDistrictIn(province, rng);
}

int AdminGeography::pickDistrictIn(int province, RandomStream& rng) const {
  const Province& p = provinces_[province];
  const double u = rng.unit() * p.cumulative.back();
  const auto it = std::upper_bound(p.cumulative.begin(), p.cumulative.end(), u);
  const auto index = std::min<std::ptrdiff_t>(it - p.cumulative.begin(), static_cast<std::ptrdiff_t>(p.districts.size()) - 1);
  return p.districts[static_cast<std::size_t>(index)];
}

std::string AdminGeography::spellingVariant(const std::string& district, RandomStream& rng) {
  std::vector<std::string_view> known;
  for (const auto& [name, variant] : kKnownVariants)
    if (name == district) known.push_back(variant);
  if (!known.empty() && rng.chance(0.7)) return std::string(known[rng.below(known.size())]);
  switch (rng.below(3)) {
    case 0: {
      std::string joined;
      for (char c : district)
        if (c != ' ') joined.push_back(c);
      if (joined != district) return joined;
      return upper(district);
    }
    case 1:
      return upper(district);
    default: {
      // A doubled or undoubled consonant, the commonest clerical drift.
      std::string v = district;
      for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == v[i + 1] && v[i] != ' ') return v.erase(i, 1);
      }
      for (std::size_t i = v.size() - 2; i >= 1; --i) {
        const char c = v[i];
        if (c == 'l' || c == 'r' || c == 'b' || c == 'd' || c == 't' || c == 'n' || c == 's') return v.insert(i, 1, c);
      }
      return upper(district);
    }
  }
}

}  // namespace nser::synth
