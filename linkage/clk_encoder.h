// ClkEncoder: clkhash-compatible CLK encoding. Given a linkage schema v3 and
// the linkage secret it produces, for each record, the same CLK bit for bit
// as clkhash's `clkhash hash` / `anonlink encode` (docs/clkhash-compatibility.md).
//
// Per record, for each feature in schema order (ignored features skipped):
//   value --ClkFeatureFormatter--> formatted text (missing value, validation)
//         --ClkTokenizer--> tokens (ngram / exact / numeric, encoded bytes)
//         --ClkTokenHasher--> k bits per token into a filter of l * 2^xorFolds bits
// where k is bitsPerToken, or for bitsPerFeature B over t tokens: the first
// B mod t tokens get floor(B/t) + 1 bits and the rest floor(B/t) (clkhash's
// BitsPerFeatureStrategy). Finally the filter is XOR-folded xorFolds times.
//
// Errors: a record whose value fails validation or tokenisation is reported in
// ClkEncodeResult (feature index and reason, never the value); nothing is
// thrown from encode(). The constructor throws ClkKeyError (key derivation)
// or std::invalid_argument (a schema this encoder cannot run).
//
// Threading: ClkEncoder is immutable and shared freely; each thread uses its
// own ClkWorkspace (reusable buffers and HMAC contexts: after the first
// records, encoding allocates nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/bloom_filter.h"
#include "linkage/clk_feature_format.h"
#include "linkage/clk_key_derivation.h"
#include "linkage/clk_schema.h"
#include "linkage/clk_token_hasher.h"
#include "linkage/clk_tokenizer.h"
#include "linkage/linkage_secret.h"

namespace nser::linkage {

struct ClkEncodeResult {
  bool ok = true;
  std::size_t feature = 0;  // index (in schema order) of the failing feature when !ok
  std::string reason;       // "feature 'name': <rule broken>" when !ok; never carries the value
};

// Per-thread scratch space for ClkEncoder. Create with ClkEncoder::makeWorkspace().
class ClkWorkspace {
 private:
  friend class ClkEncoder;
  std::string formatted_;
  TokenList tokens_;
  std::vector<TokenHashScratch> hashScratch_;  // one per feature
  BloomFilter wide_;                           // l * 2^xorFolds bits, when folding
};

class ClkEncoder {
 public:
  ClkEncoder(ClkSchema schema, std::span<const std::uint8_t> secret);
  ClkEncoder(ClkSchema schema, const LinkageSecret& secret);

  const ClkSchema& schema() const { return schema_; }
  std::size_t featureCount() const { return schema_.features.size(); }
  // Length of the CLKs produced (schema l).
  std::size_t clkBits() const { return schema_.clk.l; }
  // Length of the filter tokens are hashed into, before folding: l * 2^xorFolds.
  std::size_t hashBits() const { return schema_.clk.hashBits(); }

  // `cacheTokens` = false disables the per-thread token cache (same output;
  // for measuring what the cache buys).
  ClkWorkspace makeWorkspace(bool cacheTokens = true) const;

  // Encodes one record: `values[i]` is the raw text of schema feature i
  // (ignored features included, their value unused). `out` is resized to
  // clkBits() if needed and overwritten. On failure out's content is
  // unspecified.
  ClkEncodeResult encode(std::span<const std::string_view> values, ClkWorkspace& workspace, BloomFilter& out) const;

  // ORs one feature's bits for `value` into `into` (hashBits() bits, not
  // folded): the building block for field-level filters. Returns the
  // failure like encode(). Precondition: feature < featureCount().
  ClkEncodeResult encodeFeature(std::size_t feature, std::string_view value, ClkWorkspace& workspace,
                                BloomFilter& into) const;

 private:
  struct FeaturePipeline {
    ClkFeatureFormatter formatter;
    ClkTokenizer tokenizer;
    ClkTokenHasher hasher;
  };

  bool addFeature(std::size_t feature, std::string_view value, ClkWorkspace& workspace, BloomFilter& into,
                  ClkEncodeResult& result) const;

  ClkSchema schema_;
  ClkFeatureKeys keys_;
  std::vector<std::optional<FeaturePipeline>> pipelines_;  // nullopt for ignored features
};

}  // namespace nser::linkage
