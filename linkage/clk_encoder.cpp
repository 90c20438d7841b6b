#include "linkage/clk_encoder.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace nser::linkage {

ClkEncoder::ClkEncoder(ClkSchema schema, std::span<const std::uint8_t> secret)
    : schema_(std::move(schema)), keys_(secret, schema_.clk.kdf, schema_.features.size()) {
  pipelines_.reserve(schema_.features.size());
  for (std::size_t f = 0; f < schema_.features.size(); ++f) {
    const ClkFeature& feature = schema_.features[f];
    if (feature.ignored) {
      pipelines_.emplace_back(std::nullopt);
      continue;
    }
    const TextEncoding encoding =
        feature.format.type == FormatType::String ? feature.format.string.encoding : TextEncoding::Utf8;
    pipelines_.emplace_back(FeaturePipeline{
        ClkFeatureFormatter(feature),
        ClkTokenizer(feature.hashing.comparison, encoding),
        ClkTokenHasher(feature.hashing.hash, keys_.key(f, 0), keys_.key(f, 1), schema_.clk.hashBits()),
    });
  }
}

ClkEncoder::ClkEncoder(ClkSchema schema, const LinkageSecret& secret) : ClkEncoder(std::move(schema), secret.bytes()) {}

ClkWorkspace ClkEncoder::makeWorkspace(bool cacheTokens) const {
  ClkWorkspace workspace;
  workspace.hashScratch_.reserve(schema_.features.size());
  for (std::size_t f = 0; f < schema_.features.size(); ++f) workspace.hashScratch_.emplace_back(cacheTokens);
  if (schema_.clk.xorFolds > 0) workspace.wide_ = BloomFilter(hashBits());
  return workspace;
}

bool ClkEncoder::addFeature(std::size_t f, std::string_view value, ClkWorkspace& workspace, BloomFilter& into,
                            ClkEncodeResult& result) const {
  const auto& pipeline = pipelines_[f];
  if (!pipeline) return true;
  std::string reason;
  workspace.tokens_.clear();
  if (!pipeline->formatter.format(value, workspace.formatted_, reason) ||
      !pipeline->tokenizer.tokenize(workspace.formatted_, workspace.tokens_, reason)) {
    result.ok = false;
    result.feature = f;
    result.reason = "feature '" + schema_.features[f].identifier + "': " + reason;
    return false;
  }
  const TokenList& tokens = workspace.tokens_;
  const std::size_t count = tokens.size();
  if (count == 0) return true;  // clkhash: no tokens, no bits
  const Strategy& strategy = schema_.features[f].hashing.strategy;
  // bitsPerFeature: the first B mod t tokens get one bit more, so the
  // insertions add up to exactly B (clkhash BitsPerFeatureStrategy).
  int base = strategy.value;
  std::size_t extra = 0;
  if (strategy.type == StrategyType::BitsPerFeature) {
    base = static_cast<int>(static_cast<std::size_t>(strategy.value) / count);
    extra = static_cast<std::size_t>(strategy.value) % count;
  }
  TokenHashScratch& scratch = workspace.hashScratch_[f];
  for (std::size_t i = 0; i < count; ++i) {
    pipeline->hasher.insert(tokens[i], base + (i < extra ? 1 : 0), scratch, into);
  }
  return true;
}

ClkEncodeResult ClkEncoder::encodeFeature(std::size_t feature, std::string_view value, ClkWorkspace& workspace,
                                          BloomFilter& into) const {
  ClkEncodeResult result;
  if (into.bits() != hashBits()) {
    result.ok = false;
    result.feature = feature;
    result.reason = "feature filter must have " + std::to_string(hashBits()) + " bits";
    return result;
  }
  if (workspace.hashScratch_.size() != schema_.features.size()) workspace = makeWorkspace();
  addFeature(feature, value, workspace, into, result);
  return result;
}

ClkEncodeResult ClkEncoder::encode(std::span<const std::string_view> values, ClkWorkspace& workspace,
                                   BloomFilter& out) const {
  ClkEncodeResult result;
  if (values.size() != schema_.features.size()) {
    result.ok = false;
    result.feature = std::min(values.size(), schema_.features.size());
    result.reason = "expected " + std::to_string(schema_.features.size()) + " values (one per schema feature), got " +
                    std::to_string(values.size());
    return result;
  }
  if (workspace.hashScratch_.size() != schema_.features.size()) workspace = makeWorkspace();
  if (out.bits() != clkBits()) out = BloomFilter(clkBits());
  const int folds = schema_.clk.xorFolds;
  BloomFilter& target = folds > 0 ? workspace.wide_ : out;
  target.clear();
  for (std::size_t f = 0; f < values.size(); ++f) {
    if (!addFeature(f, values[f], workspace, target, result)) return result;
  }
  if (folds > 0) {
    // In-place XOR folding of the wide filter, then copy the first l bits out
    // (same as BloomFilter::xorFolded, without allocating).
    std::span<std::uint64_t> words = workspace.wide_.mutableWords();
    std::size_t length = words.size();
    for (int fold = 0; fold < folds; ++fold) {
      length /= 2;
      for (std::size_t i = 0; i < length; ++i) words[i] ^= words[length + i];
    }
    std::span<std::uint64_t> dest = out.mutableWords();
    for (std::size_t i = 0; i < dest.size(); ++i) dest[i] = words[i];
  }
  return result;
}

}  // namespace nser::linkage
