// SourceSpec: one data source nser synth writes (the NSER registry or a
// programme extract), as set by a sources file (schemas/synth-sources.md) or
// by the defaults below.
//
// A household enters a source when its province is in `provinces` (empty:
// all), its PMT score is within [pmtMin, pmtMax] (pmtMaxDisability replaces
// pmtMax when a member has a disability), and a per-(source, household) draw
// falls below `coverage`. Of an included household, the members selected by
// `members` become records. Each source corrupts its own records at the
// rates of its profile times corruptionScale.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "synth/corruption_profile.h"

namespace nser::synth {

enum class MemberFilter { kAll, kWomen, kChildren, kHeads };

struct SourceSpec {
  std::string name;                 // [a-z0-9_]+, file name and rec_id prefix
  bool registry = false;            // the NSER registry: adds household_ref; at most one
  std::vector<std::string> provinces;
  double pmtMin = 0;
  double pmtMax = 100;
  std::optional<double> pmtMaxDisability;
  double coverage = 1.0;            // share of eligible households included
  MemberFilter members = MemberFilter::kAll;
  std::optional<Profile> profile;   // unset: the --profile of the run
  double corruptionScale = 1.0;
};

// The sources used when no file is given: nser (registry, 97% of households,
// a quarter of the profile's corruption), punjab, sindh, kp, balochistan
// (provincial programmes for poorer households) and kafaalat (federal cash to
// women of households at or under the PMT cutoff 32, or 37 with a disability).
std::vector<SourceSpec> defaultSources();

// Reads a sources file through schemas::JsonNode; provinces are checked
// against `knownProvinces`. Throws schemas::DocumentError naming file and key.
std::vector<SourceSpec> loadSources(const std::string& path, const std::vector<std::string>& knownProvinces);

std::string_view memberFilterName(MemberFilter filter);

}  // namespace nser::synth
