// RecordEncoder: one source record (a CSV row, or a programme's query) to one
// EncodedRecord, under a LinkageSchema and the linkage secret. This is the
// whole custodian-side pipeline:
//
//   row --(nser schema)--> PersonNormaliser --> normalised fields
//       --> ClkEncoder, one hashing pass per feature: its bits are ORed into
//           the record CLK (clkhash-compatible) and, OR-folded to the field
//           length, form its field-level filter. Both clkhash hashes reduce
//           a digest modulo the filter length, so for a length dividing the
//           CLK's, folding gives exactly the filter a separate encoding at
//           that length would give (tested), at half the cost.
//       --> record salt permutation, hardening (FilterHardener)
//       --> keyed tokens (KeyedTokenizer)
//
// For a plain clkhash schema the row's columns are the features, hashed as
// written; the CLK is bit-identical to clkhash and there are no tokens or
// field filters.
//
// A row that cannot be encoded (no name; a value failing the schema's format;
// a short row) yields ok=false and a reason naming the column or feature and
// the rule broken, never the value: the caller quarantines it.
//
// Threading: a RecordEncoder is immutable after construction and shared; each
// thread passes its own EncoderWorkspace.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/clk_encoder.h"
#include "linkage/csv_reader.h"
#include "linkage/encoded_record.h"
#include "linkage/hardening.h"
#include "linkage/keyed_token.h"
#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/person_normaliser.h"

namespace nser::linkage {

class EncoderSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where each input the schema needs sits in a row.
struct ColumnBinding {
  std::optional<std::size_t> id;
  std::vector<std::optional<std::size_t>> roles;  // parallel to identityRoles() (nser schemas)
  std::size_t width = 0;                          // columns a row must have
};

struct EncodeOutcome {
  bool ok = true;
  std::string reason;  // why the row was not encoded; never contains a value
};

class EncoderWorkspace {
 private:
  friend class RecordEncoder;
  ClkWorkspace clk;
  BloomFilter filter;         // the record CLK (hashBits wide before folding)
  BloomFilter featureFilter;  // one feature's bits at a time (hashBits)
  BloomFilter fieldFilter;    // one field-level filter at a time
  BloomFilter foldedClk;      // the CLK after clkhash's xorFolds, when the schema folds
  std::vector<std::string_view> values;
};

class RecordEncoder {
 public:
  // `today` bounds plausible dates of birth. Throws EncoderSetupError (or the
  // clkhash key errors) when the schema cannot be run.
  RecordEncoder(LinkageSchema schema, const LinkageSecret& secret, CivilDate today = {});
  ~RecordEncoder();

  const LinkageSchema& schema() const { return schema_; }
  const EncodingHeader& header() const { return header_; }
  EncoderWorkspace makeWorkspace() const;

  // Finds the schema's columns in a CSV header. Throws EncoderSetupError
  // naming every missing column.
  ColumnBinding bind(const std::vector<std::string>& headerRow) const;

  // Encodes one row; `rowNumber` names the record when the schema has no id column.
  EncodeOutcome encodeRow(const std::vector<std::string>& row, const ColumnBinding& binding, std::uint64_t rowNumber,
                          EncoderWorkspace& workspace, EncodedRecord& out) const;

  // Encodes an identity given directly (the programme gateway's query path).
  // Requires an nser schema.
  EncodeOutcome encodeIdentity(std::string id, const PersonIdentity& identity, EncoderWorkspace& workspace,
                               EncodedRecord& out) const;

 private:
  EncodeOutcome encodeNormalised(const NormalisedPerson& person, EncoderWorkspace& workspace, EncodedRecord& out) const;
  void finishFilter(std::span<const std::uint64_t> filter, const FilterHardener* hardener, std::string_view salt,
                    FilterWords& out) const;
  void appendTokens(const NormalisedPerson& person, EncodedRecord& out) const;

  LinkageSchema schema_;
  EncodingHeader header_;
  ClkEncoder clkEncoder_;
  std::size_t fieldFilterBits_ = 0;
  std::vector<int> fieldSlot_;  // per schema feature: index of its field filter, or -1
  std::unique_ptr<FilterHardener> clkHardener_;
  std::unique_ptr<FilterHardener> fieldHardener_;
  std::unique_ptr<KeyedTokenizer> tokenizer_;
  PersonNormaliser normaliser_;
};

}  // namespace nser::linkage
