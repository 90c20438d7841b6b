// Measures what each hardening option costs in linkage quality: encodes the
// NSER registry and one programme extract from `nser synth` under each
// setting, then compares the record-level CLK Dice of true matches with that
// of random non-matches.
//
// Usage: hardening_evaluation DIR [SOURCE] [SCHEMA]
//   DIR     an `nser synth` output directory (nser.csv, SOURCE.csv, truth.csv)
//   SOURCE  the programme extract to link against NSER (default punjab)
//   SCHEMA  linkage schema (default schemas/linkage/nser-person-v1.json)
// Prints one row per setting: mean Dice of matches and non-matches, AUC
// (probability a random match outscores a random non-match), and the recall
// at the Dice threshold that 1 in 10,000 non-matches exceeds.
#include <algorithm>
#include <bit>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "linkage/csv_reader.h"
#include "linkage/record_encoder.h"

using namespace nser::linkage;

namespace {

struct Records {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
};

Records readCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  CsvReader reader(in);
  Records records;
  reader.next(records.header);
  std::vector<std::string> row;
  while (reader.next(row) == CsvStatus::Record) records.rows.push_back(row);
  return records;
}

double dice(const FilterWords& a, const FilterWords& b) {
  std::size_t inter = 0, total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    inter += static_cast<std::size_t>(std::popcount(a[i] & b[i]));
    total += static_cast<std::size_t>(std::popcount(a[i]) + std::popcount(b[i]));
  }
  return total == 0 ? 0 : 2.0 * static_cast<double>(inter) / static_cast<double>(total);
}

struct Setting {
  std::string name;
  HardeningSettings hardening;
  std::optional<PersonField> salt;
};

std::vector<EncodedRecord> encodeAll(const RecordEncoder& encoder, const Records& records) {
  auto workspace = encoder.makeWorkspace();
  ColumnBinding binding = encoder.bind(records.header);
  std::vector<EncodedRecord> out(records.rows.size());
  for (std::size_t i = 0; i < records.rows.size(); ++i) {
    if (!encoder.encodeRow(records.rows[i], binding, i + 2, workspace, out[i]).ok) out[i].clk.clear();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: hardening_evaluation DIR [SOURCE] [SCHEMA]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::string source = argc > 2 ? argv[2] : "punjab";
  const std::string schemaPath = argc > 3 ? argv[3] : std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";

  Records registry = readCsv(dir + "/nser.csv");
  Records extract = readCsv(dir + "/" + source + ".csv");
  Records truth = readCsv(dir + "/truth.csv");
  std::unordered_map<std::string, std::string> personOf;  // "source/rec_id" -> person
  for (const auto& row : truth.rows) personOf[row[0] + "/" + row[1]] = row[2];
  std::unordered_map<std::string, std::size_t> registryIndexOfPerson;
  for (std::size_t i = 0; i < registry.rows.size(); ++i) registryIndexOfPerson[personOf["nser/" + registry.rows[i][0]]] = i;

  std::vector<std::pair<std::size_t, std::size_t>> matches;  // (extract, registry)
  for (std::size_t i = 0; i < extract.rows.size(); ++i) {
    auto it = registryIndexOfPerson.find(personOf[source + "/" + extract.rows[i][0]]);
    if (it != registryIndexOfPerson.end()) matches.emplace_back(i, it->second);
  }
  std::mt19937_64 rng(42);
  std::vector<std::pair<std::size_t, std::size_t>> nonMatches;
  while (nonMatches.size() < 200000) {
    std::size_t a = rng() % extract.rows.size(), b = rng() % registry.rows.size();
    if (personOf[source + "/" + extract.rows[a][0]] != personOf["nser/" + registry.rows[b][0]]) nonMatches.emplace_back(a, b);
  }
  std::printf("data: %s, %zu registry and %zu %s records, %zu true matches, %zu sampled non-matches\n", dir.c_str(),
              registry.rows.size(), extract.rows.size(), source.c_str(), matches.size(), nonMatches.size());
  std::printf("%-28s %9s %9s %8s %14s\n", "setting", "match", "nonmatch", "AUC", "recall@1e-4FPR");

  const std::string secretText = "hardening evaluation secret, not for production";
  auto secret = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(secretText.data()), secretText.size()}, 1);
  const std::vector<Setting> settings = {
      {"none", {}, std::nullopt},
      {"balance", {.balance = true}, std::nullopt},
      {"xor-fold 1", {.xorFolds = 1}, std::nullopt},
      {"balance + xor-fold 1", {.balance = true, .xorFolds = 1}, std::nullopt},
      {"rule 90", {.rule90 = true}, std::nullopt},
      {"BLIP f=0.02", {.blipFlipProbability = 0.02}, std::nullopt},
      {"BLIP f=0.05", {.blipFlipProbability = 0.05}, std::nullopt},
      {"salt birth_year", {}, PersonField::BirthYear},
      {"balance + xor1 + BLIP 0.02", {.balance = true, .xorFolds = 1, .blipFlipProbability = 0.02}, std::nullopt},
  };
  for (const auto& setting : settings) {
    LinkageSchema schema = loadLinkageSchema(schemaPath);
    schema.nser->hardening = setting.hardening;
    schema.nser->recordSalt = setting.salt;
    schema.nser->fieldFilterBits = 0;  // the CLK alone is measured
    RecordEncoder encoder(schema, secret, {2026, 11, 26});
    auto a = encodeAll(encoder, extract);
    auto b = encodeAll(encoder, registry);
    auto scores = [&](const std::vector<std::pair<std::size_t, std::size_t>>& pairs) {
      std::vector<double> out;
      for (auto [i, j] : pairs) {
        if (!a[i].clk.empty() && !b[j].clk.empty()) out.push_back(dice(a[i].clk, b[j].clk));
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    std::vector<double> m = scores(matches), u = scores(nonMatches);
    double meanM = 0, meanU = 0;
    for (double d : m) meanM += d;
    for (double d : u) meanU += d;
    meanM /= static_cast<double>(m.size());
    meanU /= static_cast<double>(u.size());
    // AUC by merging the sorted lists (ties count half).
    double wins = 0;
    std::size_t lo = 0, hi = 0;
    for (double d : m) {
      while (lo < u.size() && u[lo] < d) ++lo;
      hi = lo;
      while (hi < u.size() && u[hi] == d) ++hi;
      wins += static_cast<double>(lo) + 0.5 * static_cast<double>(hi - lo);
    }
    const double auc = wins / (static_cast<double>(m.size()) * static_cast<double>(u.size()));
    const double threshold = u[u.size() - 1 - u.size() / 10000];
    const auto above = static_cast<double>(m.end() - std::upper_bound(m.begin(), m.end(), threshold));
    std::printf("%-28s %9.4f %9.4f %8.5f %14.4f\n", setting.name.c_str(), meanM, meanU, auc,
                above / static_cast<double>(m.size()));
  }
  return 0;
}
