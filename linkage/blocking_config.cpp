#include "linkage/blocking_config.h"

#include <algorithm>
#include <set>

namespace nser::linkage {
namespace {

constexpr TokenKind kAllKinds[] = {
    TokenKind::Cnic,          TokenKind::CnicDeletion, TokenKind::NamePhonetic,
    TokenKind::NamePhoneticDistrict, TokenKind::RelationPhonetic, TokenKind::BirthYear,
    TokenKind::BirthYearMonth, TokenKind::BirthDate, TokenKind::Phone,
};

constexpr std::uint32_t kMaxTables = 256;
constexpr std::uint32_t kMaxKeyKinds = 4;
constexpr std::uint32_t kMaxKeysPerRecordLimit = 4096;
constexpr std::uint32_t kMaxBlockSizeLimit = 1u << 30;

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string kindList() {
  std::string list;
  for (auto kind : kAllKinds) {
    if (!list.empty()) list += ", ";
    list += tokenKindName(kind);
  }
  return list;
}

HammingLshSettings parseLsh(const schemas::JsonNode& node) {
  HammingLshSettings settings;
  settings.tables = static_cast<std::uint32_t>(node.intOr("tables", settings.tables, 1, kMaxTables));
  settings.bitsPerTable = static_cast<std::uint32_t>(node.intOr("bits_per_table", settings.bitsPerTable, 1, 64));
  settings.seed = static_cast<std::uint64_t>(node.intOr("seed", static_cast<std::int64_t>(settings.seed), 0, INT64_MAX));
  return settings;
}

TokenBlockSettings parseTokens(const schemas::JsonNode& node) {
  TokenBlockSettings settings;
  auto key = node.field("key");
  auto items = key.asArray();
  if (items.empty() || items.size() > kMaxKeyKinds) key.fail("must list 1 to 4 token kinds");
  for (const auto& item : items) {
    TokenKind kind{};
    if (!parseTokenKindName(item.asString(), kind)) {
      item.fail("unknown token kind \"" + item.asString() + "\" (expected one of: " + kindList() + ")");
    }
    if (std::find(settings.key.begin(), settings.key.end(), kind) != settings.key.end()) {
      item.fail("token kind listed twice");
    }
    settings.key.push_back(kind);
  }
  settings.maxKeysPerRecord = static_cast<std::uint32_t>(
      node.intOr("max_keys_per_record", settings.maxKeysPerRecord, 1, kMaxKeysPerRecordLimit));
  return settings;
}

}  // namespace

bool parseTokenKindName(std::string_view name, TokenKind& kind) {
  for (auto candidate : kAllKinds) {
    if (name == tokenKindName(candidate)) {
      kind = candidate;
      return true;
    }
  }
  return false;
}

std::uint32_t BlockingConfig::blockSizeCap(std::size_t index) const {
  auto own = strategies.at(index).maxBlockSize;
  return own != 0 ? own : maxBlockSize;
}

bool BlockingConfig::usesClk() const {
  return std::any_of(strategies.begin(), strategies.end(), [](const auto& s) { return s.isHammingLsh(); });
}

void BlockingConfig::validate() const {
  auto fail = [](const std::string& where, const std::string& what) {
    throw BlockingConfigError("blocking config: " + where + ": " + what);
  };
  if (maxBlockSize < 1 || maxBlockSize > kMaxBlockSizeLimit) fail("max_block_size", "must be between 1 and 2^30");
  if (strategies.empty()) fail("strategies", "at least one strategy is required");
  std::set<std::string> names;
  for (const auto& strategy : strategies) {
    const std::string where = "strategy '" + strategy.name + "'";
    if (!validName(strategy.name)) fail(where, "name must be 1 to 64 characters of [a-z0-9_]");
    if (!names.insert(strategy.name).second) fail(where, "name used twice");
    if (strategy.maxBlockSize > kMaxBlockSizeLimit) fail(where, "max_block_size must be at most 2^30");
    if (const auto* lsh = std::get_if<HammingLshSettings>(&strategy.settings)) {
      if (lsh->tables < 1 || lsh->tables > kMaxTables) fail(where, "tables must be between 1 and 256");
      if (lsh->bitsPerTable < 1 || lsh->bitsPerTable > 64) fail(where, "bits_per_table must be between 1 and 64");
    } else {
      const auto& tokens = std::get<TokenBlockSettings>(strategy.settings);
      if (tokens.key.empty() || tokens.key.size() > kMaxKeyKinds) fail(where, "key must list 1 to 4 token kinds");
      for (std::size_t i = 0; i < tokens.key.size(); ++i) {
        for (std::size_t j = i + 1; j < tokens.key.size(); ++j) {
          if (tokens.key[i] == tokens.key[j]) fail(where, "token kind listed twice in key");
        }
      }
      if (tokens.maxKeysPerRecord < 1 || tokens.maxKeysPerRecord > kMaxKeysPerRecordLimit) {
        fail(where, "max_keys_per_record must be between 1 and 4096");
      }
    }
  }
}

BlockingConfig BlockingConfig::recommended() {
  BlockingConfig config;
  config.maxBlockSize = 500;
  auto tokens = [&](std::string name, std::vector<TokenKind> key) {
    config.strategies.push_back({std::move(name), TokenBlockSettings{std::move(key), 64}, 0});
  };
  tokens("cnic_deletion", {TokenKind::CnicDeletion});
  tokens("name_district_year", {TokenKind::NamePhoneticDistrict, TokenKind::BirthYear});
  tokens("name_relation", {TokenKind::NamePhonetic, TokenKind::RelationPhonetic});
  tokens("name_birth_date", {TokenKind::NamePhonetic, TokenKind::BirthDate});
  tokens("birth_date_relation", {TokenKind::BirthDate, TokenKind::RelationPhonetic});
  tokens("phone_year", {TokenKind::Phone, TokenKind::BirthYear});
  return config;
}

BlockingConfig parseBlockingConfig(const schemas::JsonNode& node) {
  node.rejectUnknownKeys({"version", "max_block_size", "strategies"});
  auto version = node.field("version");
  if (version.asInt() != kBlockingConfigVersion) version.fail("unsupported version (expected 1)");
  BlockingConfig config;
  config.maxBlockSize =
      static_cast<std::uint32_t>(node.intOr("max_block_size", config.maxBlockSize, 1, kMaxBlockSizeLimit));
  auto strategiesNode = node.field("strategies");
  auto items = strategiesNode.asArray();
  if (items.empty()) strategiesNode.fail("at least one strategy is required");
  std::set<std::string> names;
  for (const auto& item : items) {
    auto type = item.field("type").asEnum({"hamming_lsh", "tokens"});
    BlockingStrategy strategy;
    auto nameNode = item.field("name");
    strategy.name = nameNode.asString();
    if (!validName(strategy.name)) nameNode.fail("must be 1 to 64 characters of [a-z0-9_]");
    if (!names.insert(strategy.name).second) nameNode.fail("name used twice");
    strategy.maxBlockSize = static_cast<std::uint32_t>(item.intOr("max_block_size", 0, 1, kMaxBlockSizeLimit));
    if (type == "hamming_lsh") {
      item.rejectUnknownKeys({"name", "type", "max_block_size", "tables", "bits_per_table", "seed"});
      strategy.settings = parseLsh(item);
    } else {
      item.rejectUnknownKeys({"name", "type", "max_block_size", "key", "max_keys_per_record"});
      strategy.settings = parseTokens(item);
    }
    config.strategies.push_back(std::move(strategy));
  }
  return config;
}

BlockingConfig loadBlockingConfig(const std::string& path) {
  return parseBlockingConfig(schemas::JsonNode::parseFile(path));
}

}  // namespace nser::linkage
