// BlockingConfig: which blocking strategies produce candidate pairs, and how
// large a block may grow before it is skipped. The candidates of a
// configuration are the union of its strategies' candidates, deduplicated.
//
// Strategies (docs/blocking.md):
//  - hamming_lsh: bit-sampling LSH on the record-level CLK. `tables` tables,
//    each sampling `bits_per_table` bit positions chosen deterministically
//    from `seed`; records whose sampled bits agree in any table share a block.
//  - tokens: keyed-token blocks. `key` lists one to four token kinds; a
//    record's block key takes one token of each listed kind (all kinds are
//    required), so ["name_phonetic", "birth_year"] pairs records that share
//    both a phonetic name and a birth year. A record with several tokens of a
//    kind gets one key per combination, at most `max_keys_per_record`.
//
// Every strategy has a block-size cap (`max_block_size`, inherited from the
// top level unless set): a block holding more indexed records is skipped,
// and the skip is counted (BlockingIndexStats), never silent.
//
// Parsing a document throws schemas::DocumentError naming the document and
// key; validate() on a configuration built in code throws
// BlockingConfigError naming the strategy and setting.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "linkage/keyed_token.h"
#include "schemas/json_document.h"

namespace nser::linkage {

class BlockingConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::int64_t kBlockingConfigVersion = 1;

struct HammingLshSettings {
  std::uint32_t tables = 16;
  std::uint32_t bitsPerTable = 24;  // 1..64: a band key is the sampled bits packed in one word
  std::uint64_t seed = 1;
};

struct TokenBlockSettings {
  std::vector<TokenKind> key;            // 1..4 distinct kinds, all required
  std::uint32_t maxKeysPerRecord = 64;   // bounds the combinations one record contributes
};

struct BlockingStrategy {
  std::string name;                      // [a-z0-9_]+, unique within a configuration
  std::variant<HammingLshSettings, TokenBlockSettings> settings;
  std::uint32_t maxBlockSize = 0;        // 0: use BlockingConfig::maxBlockSize

  bool isHammingLsh() const { return std::holds_alternative<HammingLshSettings>(settings); }
};

struct BlockingConfig {
  std::uint32_t maxBlockSize = 500;
  std::vector<BlockingStrategy> strategies;

  // The cap that applies to strategy `index`.
  std::uint32_t blockSizeCap(std::size_t index) const;
  bool usesClk() const;

  // Throws BlockingConfigError on the first invalid setting.
  void validate() const;

  // The configuration tuned on synthetic NSER data (docs/blocking.md,
  // "Recommended defaults"): CNIC deletion neighbourhood, and phonetic name
  // combined with district + birth year, relation name or birth date, birth
  // date + relation name, phone + birth year; no CLK LSH.
  static BlockingConfig recommended();
};

// Reads a configuration from `node` (a whole document or an embedded object).
// Unknown keys are rejected. Throws schemas::DocumentError.
BlockingConfig parseBlockingConfig(const schemas::JsonNode& node);
BlockingConfig loadBlockingConfig(const std::string& path);

// "cnic", "name_phonetic", ... (tokenKindName) back to the kind.
bool parseTokenKindName(std::string_view name, TokenKind& kind);

}  // namespace nser::linkage
