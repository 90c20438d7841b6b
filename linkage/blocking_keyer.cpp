#include "linkage/blocking_keyer.h"

#include <algorithm>

#include "linkage/blocking_key_hash.h"
#include "linkage/blocking_token_keys.h"

namespace nser::linkage {

BlockingKeyer::BlockingKeyer(BlockingConfig config, std::size_t clkBits)
    : config_(std::move(config)), clkBits_(clkBits) {
  config_.validate();
  if (config_.strategies.size() > 32) throw BlockingConfigError("blocking config: at most 32 strategies");
  lsh_.resize(config_.strategies.size());
  for (std::size_t s = 0; s < config_.strategies.size(); ++s) {
    if (const auto* settings = std::get_if<HammingLshSettings>(&config_.strategies[s].settings)) {
      try {
        lsh_[s].emplace(*settings, clkBits);
      } catch (const BlockingConfigError& e) {
        throw BlockingConfigError("blocking config: strategy '" + config_.strategies[s].name + "': " + e.what());
      }
    }
  }
}

RecordKeyIssues BlockingKeyer::keysOf(const EncodedRecord& record, std::vector<BlockingKey>& out) const {
  RecordKeyIssues issues;
  out.clear();
  // One thread-local scratch of hashes keeps keysOf allocation-free in steady state.
  thread_local std::vector<std::uint64_t> hashes;
  for (std::uint32_t s = 0; s < config_.strategies.size(); ++s) {
    hashes.clear();
    const std::uint64_t salt = strategyKeySalt(s);
    if (lsh_[s]) {
      if (!lsh_[s]->appendBandKeys(record.clk, salt, hashes)) issues.clkUnusable = true;
    } else {
      const auto& settings = std::get<TokenBlockSettings>(config_.strategies[s].settings);
      if (appendTokenBlockKeys(settings, record.tokens, salt, hashes).truncated) {
        issues.truncatedStrategies |= 1u << s;
      }
    }
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    for (auto hash : hashes) out.push_back({hash, s});
  }
  return issues;
}

}  // namespace nser::linkage
