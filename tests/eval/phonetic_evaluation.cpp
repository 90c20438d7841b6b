// phonetic_evaluation: how well name keys group the spellings of one person
// and keep different people apart, measured on `nser synth` output.
//
//   phonetic_evaluation --data DIR [--pairs N] [--seed S] [--misses N]
//
// DIR holds one CSV per source (header with at least rec_id and name) and
// truth.csv (source,rec_id,person_id,household_id). Variant pairs: two
// records of the same person whose written names differ. Non-match pairs:
// N random record pairs of different people (default: as many as variant
// pairs, at least 100000). For each key, the share of variant pairs whose
// keys agree (recall) and of non-match pairs whose keys agree (false
// agreement rate), for the given name (first name token after titles) and
// for the full name (all name tokens after titles, relation excluded), and
// for the full name with token order ignored (tokens sorted).
// Also prints the normalisation throughput (parsePersonName + keys).
// Output is Markdown, pasted into docs/roman-urdu-normalisation.md.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "linkage/double_metaphone.h"
#include "linkage/person_name.h"
#include "linkage/roman_urdu_phonetic.h"
#include "linkage/soundex.h"
#include "linkage/text_folding.h"

namespace {

using namespace nser::linkage;

// RFC 4180 line splitter (the synth writer never puts line breaks in fields).
bool splitCsvLine(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

struct Record {
  std::uint64_t person = 0;
  std::string name;
};

// Every key of one name, computed once per record.
struct Keys {
  // Given name (first token) and full name variants of each method.
  std::vector<std::string> given;
  std::vector<std::string> full;
  std::vector<std::string> anyOrder;  // full name with tokens sorted
  // Double Metaphone alternates, for the "any code" comparison.
  std::string givenDmAlternate;
  std::vector<std::string> fullDmPrimary;
  std::vector<std::string> fullDmAlternate;
};

const std::vector<std::string> kMethods = {
    "folded equality (titles kept)", "canonical equality (rules)", "Soundex",
    "Soundex on canonical tokens", "Double Metaphone primary", "Double Metaphone any code",
    "Double Metaphone primary on canonical", "Roman-Urdu key"};
constexpr std::size_t kDmAny = 5;

std::string joinSorted(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

std::string joinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

Keys computeKeys(const std::string& raw) {
  Keys keys;
  const PersonName parsed = parsePersonName(raw);
  const std::vector<std::string>& tokens = parsed.name.tokens;          // folded, titles removed
  const std::vector<std::string>& canonical = parsed.name.canonicalTokens;
  const std::string firstToken = tokens.empty() ? "" : tokens.front();
  const std::string firstCanonical = canonical.empty() ? "" : canonical.front();

  std::vector<std::string> soundexFull, soundexCanon, dmFull, dmCanon, ruFull;
  for (const std::string& t : tokens) {
    soundexFull.push_back(soundex(t));
    const DoubleMetaphoneCode dm = doubleMetaphone(t);
    dmFull.push_back(dm.primary);
    keys.fullDmPrimary.push_back(dm.primary);
    keys.fullDmAlternate.push_back(dm.alternate);
  }
  std::string scratch;
  for (const std::string& t : canonical) {
    soundexCanon.push_back(soundex(t));
    dmCanon.push_back(doubleMetaphone(t).primary);
    romanUrduKeyOfCanonical(t, scratch);
    ruFull.push_back(scratch);
  }
  const DoubleMetaphoneCode dmFirst = doubleMetaphone(firstToken);
  const DoubleMetaphoneCode dmFirstCanon = doubleMetaphone(firstCanonical);
  romanUrduKeyOfCanonical(firstCanonical, scratch);
  const std::string folded = foldText(raw);
  keys.given = {folded.substr(0, folded.find(' ')), firstCanonical, soundex(firstToken),
                soundex(firstCanonical), dmFirst.primary, dmFirst.primary, dmFirstCanon.primary,
                scratch};
  keys.givenDmAlternate = dmFirst.alternate;
  std::vector<std::string> foldedTokens;
  splitFoldedTokens(folded, [&](std::string_view t) { foldedTokens.emplace_back(t); });
  keys.anyOrder = {joinSorted(foldedTokens), joinSorted(canonical), joinSorted(soundexFull),
                   joinSorted(soundexCanon), joinSorted(dmFull), "", joinSorted(dmCanon),
                   joinSorted(ruFull)};
  keys.full = {folded, parsed.name.canonical(), joinWords(soundexFull), joinWords(soundexCanon),
               joinWords(dmFull), joinWords(dmFull), joinWords(dmCanon), joinWords(ruFull)};
  return keys;
}

// scope 0: given name, 1: full name, 2: full name in any token order.
bool agree(const Keys& a, const Keys& b, std::size_t method, int scope) {
  if (scope == 2) {
    if (method == kDmAny) return false;  // not reported
    return !a.anyOrder[method].empty() && a.anyOrder[method] == b.anyOrder[method];
  }
  const bool full = scope == 1;
  if (!full) {
    if (a.given[method].empty() || b.given[method].empty()) return false;
    if (method == kDmAny) {
      return a.given[method] == b.given[method] || a.given[method] == b.givenDmAlternate ||
             a.givenDmAlternate == b.given[method] || a.givenDmAlternate == b.givenDmAlternate;
    }
    return a.given[method] == b.given[method];
  }
  if (a.full[method].empty() || b.full[method].empty()) return false;
  if (method == kDmAny) {
    if (a.fullDmPrimary.size() != b.fullDmPrimary.size()) return false;
    for (std::size_t i = 0; i < a.fullDmPrimary.size(); ++i) {
      const bool tokenAgrees = a.fullDmPrimary[i] == b.fullDmPrimary[i] ||
                               a.fullDmPrimary[i] == b.fullDmAlternate[i] ||
                               a.fullDmAlternate[i] == b.fullDmPrimary[i] ||
                               a.fullDmAlternate[i] == b.fullDmAlternate[i];
      if (!tokenAgrees) return false;
    }
    return true;
  }
  return a.full[method] == b.full[method];
}

struct Options {
  std::filesystem::path data;
  std::size_t pairs = 0;
  std::uint64_t seed = 20261126;
  std::size_t misses = 0;  // print this many variant pairs the Roman-Urdu key misses
};

Options parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--data") {
      options.data = value();
    } else if (arg == "--pairs") {
      options.pairs = std::stoull(value());
    } else if (arg == "--seed") {
      options.seed = std::stoull(value());
    } else if (arg == "--misses") {
      options.misses = std::stoull(value());
    } else {
      throw std::invalid_argument("unknown option " + arg +
                                  "\nUsage: phonetic_evaluation --data DIR [--pairs N] [--seed S] [--misses N]");
    }
  }
  if (options.data.empty()) throw std::invalid_argument("missing --data DIR");
  return options;
}

int run(const Options& options) {
  // truth.csv: (source, rec_id) -> person_id
  std::unordered_map<std::string, std::uint64_t> personOf;
  {
    std::ifstream in(options.data / "truth.csv");
    if (!in) throw std::runtime_error("cannot read " + (options.data / "truth.csv").string());
    std::string line;
    std::vector<std::string> fields;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (!splitCsvLine(line, fields) || fields.size() < 3) continue;
      personOf[fields[0] + '\x1f' + fields[1]] = std::stoull(fields[2]);
    }
  }

  std::vector<Record> records;
  std::vector<std::string> sources;
  for (const auto& entry : std::filesystem::directory_iterator(options.data)) {
    const std::filesystem::path path = entry.path();
    if (path.extension() != ".csv" || path.filename() == "truth.csv") continue;
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> fields;
    if (!std::getline(in, line) || !splitCsvLine(line, fields)) continue;
    const auto idColumn = std::find(fields.begin(), fields.end(), "rec_id") - fields.begin();
    const auto nameColumn = std::find(fields.begin(), fields.end(), "name") - fields.begin();
    if (idColumn == static_cast<std::ptrdiff_t>(fields.size()) ||
        nameColumn == static_cast<std::ptrdiff_t>(fields.size())) {
      continue;
    }
    const std::string source = path.stem().string();
    sources.push_back(source);
    while (std::getline(in, line)) {
      if (!splitCsvLine(line, fields)) continue;
      const auto need = static_cast<std::size_t>(std::max(idColumn, nameColumn));
      if (fields.size() <= need) continue;
      const auto it = personOf.find(source + '\x1f' + fields[static_cast<std::size_t>(idColumn)]);
      if (it == personOf.end()) continue;
      records.push_back({it->second, fields[static_cast<std::size_t>(nameColumn)]});
    }
  }
  if (records.empty()) throw std::runtime_error("no records with names found in " + options.data.string());

  // Keys for every record, timed: this is the normalisation cost per name.
  std::vector<Keys> keys;
  keys.reserve(records.size());
  const auto start = std::chrono::steady_clock::now();
  std::size_t checksum = 0;
  for (const Record& r : records) {
    const PersonName parsed = parsePersonName(r.name);
    checksum += parsed.name.canonicalTokens.size();
  }
  const double parseSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto keyStart = std::chrono::steady_clock::now();
  for (const Record& r : records) {
    const std::string key = romanUrduNameKey(r.name);
    checksum += key.size();
  }
  const double keySeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - keyStart).count();
  for (const Record& r : records) keys.push_back(computeKeys(r.name));

  // Variant pairs: all pairs of one person's records whose names differ.
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return records[a].person < records[b].person; });
  std::vector<std::pair<std::size_t, std::size_t>> variantPairs;
  std::size_t samePersonPairs = 0;
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin;
    while (end < order.size() && records[order[end]].person == records[order[begin]].person) ++end;
    for (std::size_t i = begin; i < end; ++i) {
      for (std::size_t j = i + 1; j < end; ++j) {
        ++samePersonPairs;
        if (records[order[i]].name != records[order[j]].name) variantPairs.emplace_back(order[i], order[j]);
      }
    }
    begin = end;
  }

  std::mt19937_64 random(options.seed);
  std::uniform_int_distribution<std::size_t> pick(0, records.size() - 1);
  const std::size_t nonMatchCount =
      options.pairs > 0 ? options.pairs : std::max<std::size_t>(variantPairs.size(), 100000);
  std::vector<std::pair<std::size_t, std::size_t>> nonMatchPairs;
  nonMatchPairs.reserve(nonMatchCount);
  while (nonMatchPairs.size() < nonMatchCount) {
    const std::size_t a = pick(random);
    const std::size_t b = pick(random);
    if (records[a].person != records[b].person) nonMatchPairs.emplace_back(a, b);
  }

  std::printf("Data: %s (%zu sources, %zu records, %zu same-person pairs, %zu variant pairs, "
              "%zu non-match pairs, seed %llu)\n\n",
              options.data.string().c_str(), sources.size(), records.size(), samePersonPairs,
              variantPairs.size(), nonMatchPairs.size(), static_cast<unsigned long long>(options.seed));
  std::printf("| key | given name: recall | given name: false agr. | full name: recall | full name: false agr. | any order: recall | any order: false agr. |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t m = 0; m < kMethods.size(); ++m) {
    double rates[6];
    for (int f = 0; f < 3; ++f) {
      std::size_t agreeVariant = 0;
      for (const auto& [a, b] : variantPairs) agreeVariant += agree(keys[a], keys[b], m, f);
      std::size_t agreeNonMatch = 0;
      for (const auto& [a, b] : nonMatchPairs) agreeNonMatch += agree(keys[a], keys[b], m, f);
      rates[f * 2] = variantPairs.empty() ? 0.0 : 100.0 * static_cast<double>(agreeVariant) / static_cast<double>(variantPairs.size());
      rates[f * 2 + 1] = 100.0 * static_cast<double>(agreeNonMatch) / static_cast<double>(nonMatchPairs.size());
    }
    if (m == kDmAny) {
      std::printf("| %s | %.2f%% | %.3f%% | %.2f%% | %.3f%% | - | - |\n", kMethods[m].c_str(), rates[0],
                  rates[1], rates[2], rates[3]);
    } else {
      std::printf("| %s | %.2f%% | %.3f%% | %.2f%% | %.3f%% | %.2f%% | %.3f%% |\n", kMethods[m].c_str(),
                  rates[0], rates[1], rates[2], rates[3], rates[4], rates[5]);
    }
  }
  if (options.misses > 0) {
    std::printf("\nVariant pairs the Roman-Urdu key misses (full name, any order):\n");
    std::size_t shown = 0;
    for (const auto& [a, b] : variantPairs) {
      if (shown == options.misses) break;
      if (agree(keys[a], keys[b], kMethods.size() - 1, 2)) continue;
      std::printf("  %s [%s]  |  %s [%s]\n", records[a].name.c_str(), keys[a].full.back().c_str(),
                  records[b].name.c_str(), keys[b].full.back().c_str());
      ++shown;
    }
  }
  std::printf("\nThroughput (one thread): parsePersonName %.0f names/s; romanUrduNameKey %.0f names/s "
              "(checksum %zu)\n",
              static_cast<double>(records.size()) / parseSeconds,
              static_cast<double>(records.size()) / keySeconds, checksum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::cerr << "phonetic_evaluation: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "phonetic_evaluation: error: " << e.what() << "\n";
    return 1;
  }
}
