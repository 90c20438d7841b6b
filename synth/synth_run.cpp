#include "synth/synth_run.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "synth/population.h"
#include "synth/source_extract.h"

namespace nser::synth {
namespace {

constexpr std::size_t kTruthFlushBytes = 1 << 20;

class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path path) : path_(std::move(path)), file_(std::fopen(path_.c_str(), "wb")) {
    if (file_ == nullptr) throw SynthIoError(path_.string() + ": cannot create: " + std::strerror(errno));
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  void write(const std::string& data) {
    if (std::fwrite(data.data(), 1, data.size(), file_) != data.size())
      throw SynthIoError(path_.string() + ": write failed: " + std::strerror(errno));
  }
  void close() {
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) throw SynthIoError(path_.string() + ": write failed: " + std::strerror(errno));
  }

 private:
  std::filesystem::path path_;
  std::FILE* file_;
};

std::string fixed6(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", value);
  return text;
}

}  // namespace

SynthSummary runSynth(const AdminGeography& geography, const SynthOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.outDir, ec);
  if (ec) throw SynthIoError(options.outDir.string() + ": cannot create directory: " + ec.message());

  std::vector<std::unique_ptr<SourceExtract>> extracts;
  int registry = -1;
  for (const SourceSpec& spec : options.sources) {
    if (spec.registry) registry = static_cast<int>(extracts.size());
    extracts.push_back(std::make_unique<SourceExtract>(spec, options.profile, geography, options.seed,
                                                       options.outDir / (spec.name + ".csv")));
  }
  const std::size_t n = extracts.size();
  OutputFile truthFile(options.outDir / "truth.csv");
  std::string truth = "source,rec_id,person_id,household_id\n";
  truth.reserve(kTruthFlushBytes + 4096);

  // overlap[i][j]: people with a record in both source i and source j (i == j: in source i).
  std::vector<std::uint64_t> overlap(n * n, 0);
  std::vector<std::uint64_t> outsideRegistry(n, 0);
  std::vector<bool> included(n);
  std::vector<std::vector<bool>> selected(n);
  std::vector<std::uint32_t> masks;

  PopulationGenerator generator(geography, options.seed, options.people);
  Household household;
  SynthSummary summary;
  while (generator.next(household)) {
    ++summary.households;
    const std::size_t members = household.members.size();
    masks.assign(members, 0);
    for (std::size_t s = 0; s < n; ++s) {
      included[s] = extracts[s]->includes(household);
      selected[s].assign(members, false);
      if (!included[s]) continue;
      bool any = false;
      for (std::size_t m = 0; m < members; ++m) {
        if (extracts[s]->selects(household.members[m])) {
          selected[s][m] = true;
          masks[m] |= 1u << s;
          any = true;
        }
      }
      if (any) extracts[s]->writeHousehold(household, selected[s], truth);
    }
    for (std::uint32_t mask : masks) {
      for (std::size_t i = 0; i < n; ++i) {
        if ((mask & (1u << i)) == 0) continue;
        if (registry >= 0 && (mask & (1u << registry)) == 0) ++outsideRegistry[i];
        for (std::size_t j = 0; j < n; ++j)
          if ((mask & (1u << j)) != 0) ++overlap[i * n + j];
      }
    }
    if (truth.size() >= kTruthFlushBytes) {
      truthFile.write(truth);
      truth.clear();
    }
  }
  truthFile.write(truth);
  truthFile.close();
  for (auto& extract : extracts) extract->finish();
  summary.people = generator.peopleProduced();

  // stats.json, written by hand so key order and number formatting are fixed.
  std::string json = "{\n";
  json += "  \"format\": \"nser-synth-stats/1\",\n";
  json += "  \"seed\": " + std::to_string(options.seed) + ",\n";
  json += "  \"people\": " + std::to_string(summary.people) + ",\n";
  json += "  \"households\": " + std::to_string(summary.households) + ",\n";
  json += "  \"profile\": \"" + std::string(profileName(options.profile)) + "\",\n";
  json += "  \"registry\": " + (registry >= 0 ? "\"" + options.sources[static_cast<std::size_t>(registry)].name + "\"" : std::string("null")) + ",\n";
  json += "  \"sources\": [\n";
  for (std::size_t s = 0; s < n; ++s) {
    const SourceExtract& e = *extracts[s];
    summary.recordsPerSource.emplace_back(e.spec().name, e.records());
    json += "    {\"name\": \"" + e.spec().name + "\", \"records\": " + std::to_string(e.records()) +
            ", \"households\": " + std::to_string(e.households()) +
            ", \"people_not_in_registry\": " + (registry >= 0 ? std::to_string(outsideRegistry[s]) : "null") +
            ", \"profile\": \"" + std::string(profileName(e.profile())) + "\", \"corruption_scale\": " +
            fixed6(e.spec().corruptionScale) + ", \"coverage\": " + fixed6(e.spec().coverage) + ", \"members\": \"" +
            std::string(memberFilterName(e.spec().members)) + "\"}" + (s + 1 < n ? "," : "") + "\n";
  }
  json += "  ],\n";
  json += "  \"overlap\": {\n    \"sources\": [";
  for (std::size_t s = 0; s < n; ++s) json += (s ? ", \"" : "\"") + extracts[s]->spec().name + "\"";
  json += "],\n    \"people\": [\n";
  for (std::size_t i = 0; i < n; ++i) {
    json += "      [";
    for (std::size_t j = 0; j < n; ++j) json += (j ? ", " : "") + std::to_string(overlap[i * n + j]);
    json += std::string("]") + (i + 1 < n ? "," : "") + "\n";
  }
  json += "    ]\n  },\n";
  json += "  \"corruption\": {\n";
  for (std::size_t s = 0; s < n; ++s) {
    const SourceExtract& e = *extracts[s];
    json += "    \"" + e.spec().name + "\": {\n";
    for (int k = 0; k < kCorruptionKindCount; ++k) {
      const CorruptionCount& c = e.counts()[static_cast<std::size_t>(k)];
      const double rate = c.eligible ? static_cast<double>(c.applied) / static_cast<double>(c.eligible) : 0.0;
      json += "      \"" + std::string(corruptionKindName(static_cast<CorruptionKind>(k))) +
              "\": {\"target\": " + fixed6(e.rates()[static_cast<std::size_t>(k)]) +
              ", \"applied\": " + std::to_string(c.applied) + ", \"eligible\": " + std::to_string(c.eligible) +
              ", \"rate\": " + fixed6(rate) + "}" + (k + 1 < kCorruptionKindCount ? "," : "") + "\n";
    }
    json += std::string("    }") + (s + 1 < n ? "," : "") + "\n";
  }
  json += "  }\n}\n";
  OutputFile statsFile(options.outDir / "stats.json");
  statsFile.write(json);
  statsFile.close();
  return summary;
}

}  // namespace nser::synth
