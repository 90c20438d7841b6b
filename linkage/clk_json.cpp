#include "linkage/clk_json.h"

#include "schemas/json_document.h"

namespace nser::linkage {

ClkJsonWriter::ClkJsonWriter(std::ostream& out) : out_(out) { out_ << "{\"clks\": ["; }

void ClkJsonWriter::add(const BloomFilter& clk) {
  if (count_ > 0) out_ << ", ";
  out_ << '"' << clk.toBase64() << '"';  // base64 needs no JSON escaping
  ++count_;
}

void ClkJsonWriter::finish() {
  if (finished_) return;
  out_ << "]}";
  finished_ = true;
}

std::vector<BloomFilter> readClkJson(const std::string& path) {
  const schemas::JsonNode root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys({"clks"});
  std::vector<BloomFilter> clks;
  for (const schemas::JsonNode& entry : root.field("clks").asArray()) {
    auto filter = BloomFilter::fromBase64(entry.asString());
    if (!filter) entry.fail("not base64 of a CLK whose length is a multiple of 64 bits");
    clks.push_back(std::move(*filter));
  }
  return clks;
}

}  // namespace nser::linkage
