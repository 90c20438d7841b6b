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
//
// Memoisation: the workspace memoises, per thread, what depends on one value
// only: a name column's parse (name_parse_memo.h), a feature's filter bits and
// its finished field filter, and the non-CNIC keyed tokens (value_memo.h).
// Registers repeat names, places, dates and a household's phone, so most
// records hit; the output is byte-identical with memoisation off.
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
#include "linkage/value_memo.h"

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
 public:
  // Lookups and hits of the memos so far (for tests and measurement).
  std::size_t memoLookups() const;
  std::size_t memoHits() const;

 private:
  friend class RecordEncoder;
  ClkWorkspace clk;
  BloomFilter filter;         // the record CLK (hashBits wide before folding)
  BloomFilter featureFilter;  // one feature's bits at a time (hashBits)
  BloomFilter fieldFilter;    // one field-level filter at a time
  BloomFilter foldedClk;      // the CLK after clkhash's xorFolds, when the schema folds
  std::vector<std::string_view> values;
  // Per schema feature: value -> its hashBits-bit feature filter, followed
  // by its finished (hardened) field filter when the feature has one and
  // the schema has no record salt. Empty when memoisation is off.
  std::vector<ValueMemo> featureMemos;
  // Per TokenKind (indexed by its value): input -> 16-byte digest. Not for
  // the CNIC kinds (unique per person).
  std::vector<ValueMemo> tokenMemos;
  // Raw name columns -> their parsed fields. Null when memoisation is off.
  std::unique_ptr<NormaliserMemo> normaliserMemo;
  std::vector<std::uint64_t> memoEntry;  // an entry being assembled
  std::string tokenInput;                // a composite token input (name|district, year-month)
};

class RecordEncoder {
 public:
  // `today` bounds plausible dates of birth. Throws EncoderSetupError (or the
  // clkhash key errors) when the schema cannot be run.
  RecordEncoder(LinkageSchema schema, const LinkageSecret& secret, CivilDate today = {});
  ~RecordEncoder();

  const LinkageSchema& schema() const { return schema_; }
  const EncodingHeader& header() const { return header_; }
  // `memoise` = false turns off the per-thread memos of feature filters and
  // keyed tokens (same output, see value_memo.h; for tests and measuring
  // what the memos buy).
  EncoderWorkspace makeWorkspace(bool memoise = true) const;

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
  void appendTokens(const NormalisedPerson& person, EncoderWorkspace& workspace, EncodedRecord& out) const;
  // One keyed token, through the workspace's memo for its kind when there is one.
  KeyedToken keyedToken(TokenKind kind, std::string_view value, EncoderWorkspace& workspace) const;
  // Words of a feature's memo entry: the feature filter, plus the finished
  // field filter when memoised with it.
  std::size_t featureMemoWords(std::size_t feature) const;

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
