// runSynth: the whole of `nser synth`. Streams households from the
// PopulationGenerator through every SourceExtract, writing into `outDir`:
//   <source>.csv   one per source (columns in source_extract.h)
//   truth.csv      source,rec_id,person_id,household_id for every record
//   stats.json     counts, overlap matrix and applied corruption rates
// Memory is bounded by one household plus fixed-size write buffers, so it
// does not grow with `people`. Same options, same bytes.
// Throws SynthIoError on an output failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "synth/admin_geography.h"
#include "synth/corruption_profile.h"
#include "synth/source_spec.h"

namespace nser::synth {

struct SynthOptions {
  std::uint64_t people = 0;
  std::uint64_t seed = 0;
  Profile profile = Profile::kRealistic;
  std::vector<SourceSpec> sources;
  std::filesystem::path outDir;
};

struct SynthSummary {
  std::uint64_t people = 0;
  std::uint64_t households = 0;
  std::vector<std::pair<std::string, std::uint64_t>> recordsPerSource;
};

SynthSummary runSynth(const AdminGeography& geography, const SynthOptions& options);

}  // namespace nser::synth
