// SourceExtract: writes one source's CSV as households stream past, applying
// that source's corruption and counting what it applied.
//
// Columns (stable; consumers depend on the names and order):
//   rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,
//   province,address,phone,pmt_score,household_size,disability,school_enrolled
// and, for the registry only, household_ref. docs/synthetic-data.md
// describes each. Every random choice for a record comes from the stream
// (seed, source name, person id), and for a household's move from (seed,
// source name, household id, 2), so a record does not depend on which other
// records or sources exist. Output is buffered and written in large blocks.
// Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "synth/admin_geography.h"
#include "synth/corruption_profile.h"
#include "synth/population.h"
#include "synth/source_spec.h"

namespace nser::synth {

class SynthIoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CorruptionCount {
  std::uint64_t applied = 0;
  std::uint64_t eligible = 0;
};

inline constexpr std::string_view kSourceCsvHeader =
    "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone,"
    "pmt_score,household_size,disability,school_enrolled";

class SourceExtract {
 public:
  SourceExtract(SourceSpec spec, Profile runProfile, const AdminGeography& geography, std::uint64_t seed,
                const std::filesystem::path& file);
  ~SourceExtract();
  SourceExtract(const SourceExtract&) = delete;
  SourceExtract& operator=(const SourceExtract&) = delete;

  const SourceSpec& spec() const { return spec_; }
  Profile profile() const { return profile_; }
  const CorruptionRates& rates() const { return rates_; }

  // Whether the household enters this source (province, PMT, coverage draw).
  bool includes(const Household& household) const;
  // Whether an included household's member becomes a record (member filter).
  bool selects(const Person& person) const;

  // Writes the records of the members of `household` with selected[i] set
  // and appends one truth row (source,rec_id,person_id,household_id) per
  // record to `truth`.
  void writeHousehold(const Household& household, const std::vector<bool>& selected, std::string& truth);

  // Flushes and closes the file; throws SynthIoError on a write failure.
  void finish();

  std::uint64_t records() const { return records_; }
  std::uint64_t households() const { return households_; }
  const std::array<CorruptionCount, kCorruptionKindCount>& counts() const { return counts_; }

 private:
  struct Placement {
    int district;
    int tehsil;
    std::string address;
    bool moved;
  };
  void writeRecord(const Household& household, const Person& person, const Placement& place, std::string& truth);
  bool decide(CorruptionKind kind, bool applicable, RandomStream& rng);
  void flushIfLarge();

  SourceSpec spec_;
  Profile profile_;
  CorruptionRates rates_;
  const AdminGeography& geography_;
  std::uint64_t seed_;
  std::uint64_t sourceCode_;
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::string scratch_;
  std::uint64_t records_ = 0;
  std::uint64_t households_ = 0;
  std::array<CorruptionCount, kCorruptionKindCount> counts_{};
};

}  // namespace nser::synth
