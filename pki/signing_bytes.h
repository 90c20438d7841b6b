// SigningBytes: the one canonical byte format of everything this project
// signs with Ed25519 (consent artefacts, consent status changes, fetch
// orders; docs/policy.md, "Signing bytes").
//
//   <tag> LF
//   then per field, in the order the document's format fixes:
//   <name> "=" <decimal byte length of value> ":" <value bytes> LF
//
// Integers are written in decimal ASCII ("-" for negatives, no leading
// zeros). A list is a field "<name>.count" followed by one field
// "<name>[i]" per item, items sorted bytewise so that the order a document
// happens to list them in does not change the signature. The length prefix
// makes the encoding injective: no value, however crafted, can shift bytes
// into a neighbouring field. The tag names the document type and version,
// so a signature over one kind of statement never verifies as another.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nser::pki {

class SigningBytes {
 public:
  explicit SigningBytes(std::string_view tag) {
    bytes_.append(tag);
    bytes_.push_back('\n');
  }

  SigningBytes& field(std::string_view name, std::string_view value) {
    bytes_.append(name);
    bytes_.push_back('=');
    bytes_.append(std::to_string(value.size()));
    bytes_.push_back(':');
    bytes_.append(value);
    bytes_.push_back('\n');
    return *this;
  }

  SigningBytes& field(std::string_view name, std::int64_t value) { return field(name, std::to_string(value)); }

  SigningBytes& list(std::string_view name, std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    const std::string prefix(name);
    field(prefix + ".count", static_cast<std::int64_t>(items.size()));
    for (std::size_t i = 0; i < items.size(); ++i) field(prefix + "[" + std::to_string(i) + "]", items[i]);
    return *this;
  }

  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace nser::pki
