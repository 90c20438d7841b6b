#include "cli/audit_client.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "cli/hub_connection.h"
#include "pki/signing_key.h"

namespace nser::cli {
namespace {

Poco::JSON::Object::Ptr parseObject(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    throw AuditClientError(std::string("the hub's answer is not a JSON object: ") + e.what());
  }
}

std::vector<audit::Hash> hashList(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  std::vector<audit::Hash> hashes;
  const auto array = object->getArray(key);
  if (!array) throw AuditClientError("the hub's answer has no " + key);
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto hash = audit::hashFromBase64(array->getElement<std::string>(static_cast<unsigned>(i)));
    if (!hash) throw AuditClientError("the hub's " + key + "[" + std::to_string(i) + "] is not a hash");
    hashes.push_back(*hash);
  }
  return hashes;
}

std::uint64_t readBigEndian(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

}  // namespace

service::HttpsResponse AuditClient::call(const std::string& method, const std::string& path, const std::string& body) {
  auto response = client_->request(method, path, body.empty() ? "" : "application/json", body);
  if (response.status >= 300) throw AuditClientError(describeHubError(response));
  return response;
}

std::string AuditClient::checkpoint() { return call("GET", "/audit/checkpoint").body; }
std::string AuditClient::publishCheckpoint() { return call("POST", "/audit/checkpoint").body; }

std::string AuditClient::verifierKey() {
  return parseObject(call("GET", "/audit/key").body)->getValue<std::string>("verifier_key");
}

void forEachBundleEntry(std::string_view body, const std::function<void(const BundleEntry&)>& visit) {
  std::size_t at = 0;
  BundleEntry entry;
  while (at < body.size()) {
    if (body.size() - at < 44) throw AuditClientError("entry bundle truncated at byte " + std::to_string(at));
    entry.index = readBigEndian(body, at, 8);
    std::copy(body.begin() + static_cast<std::ptrdiff_t>(at + 8), body.begin() + static_cast<std::ptrdiff_t>(at + 40),
              entry.leafHash.begin());
    const std::size_t length = readBigEndian(body, at + 40, 4);
    at += 44;
    if (body.size() - at < length) throw AuditClientError("entry bundle truncated in entry " + std::to_string(entry.index));
    entry.bytes = body.substr(at, length);
    at += length;
    visit(entry);
  }
}

std::vector<audit::FetchedEntry> parseEntryBundle(const std::string& body) {
  std::vector<audit::FetchedEntry> entries;
  forEachBundleEntry(body, [&](const BundleEntry& entry) {
    entries.push_back(audit::FetchedEntry{entry.index, std::string(entry.bytes), entry.leafHash});
  });
  return entries;
}

std::string AuditClient::entryPage(std::uint64_t start, std::uint64_t end) {
  return call("GET", "/audit/entries?start=" + std::to_string(start) + "&end=" + std::to_string(end)).body;
}

std::vector<audit::FetchedEntry> AuditClient::entries(std::uint64_t start, std::uint64_t end) {
  std::vector<audit::FetchedEntry> all;
  if (end > start) all.reserve(end - start);
  for (std::uint64_t from = start; from < end;) {
    const std::uint64_t to = std::min(end, from + kMaxPage);
    for (auto& entry : parseEntryBundle(entryPage(from, to))) all.push_back(std::move(entry));
    // Entries missing from storage leave gaps the verifier names; the page still ends at `to`.
    from = to;
  }
  return all;
}

std::vector<audit::Hash> AuditClient::consistencyProof(std::uint64_t first, std::uint64_t second) {
  const auto body = parseObject(call("GET", "/audit/proof/consistency?first=" + std::to_string(first) +
                                                "&second=" + std::to_string(second))
                                    .body);
  return hashList(body, "proof");
}

AuditClient::Inclusion AuditClient::inclusionProof(const std::string& selector, std::uint64_t size) {
  std::string path = "/audit/proof/inclusion?" + selector;
  if (size != 0) path += "&size=" + std::to_string(size);
  const auto body = parseObject(call("GET", path).body);
  Inclusion inclusion;
  inclusion.index = body->getValue<std::uint64_t>("index");
  inclusion.size = body->getValue<std::uint64_t>("size");
  const auto leaf = audit::hashFromBase64(body->getValue<std::string>("leaf_hash"));
  if (!leaf) throw AuditClientError("the hub's leaf_hash is not a hash");
  inclusion.leafHash = *leaf;
  inclusion.proof = hashList(body, "proof");
  return inclusion;
}

std::vector<audit::FetchedEntry> AuditClient::search(const std::string& query) {
  const auto body = parseObject(call("GET", "/audit/search?" + query).body);
  std::vector<audit::FetchedEntry> entries;
  const auto array = body->getArray("entries");
  for (std::size_t i = 0; array && i < array->size(); ++i) {
    const auto item = array->getObject(static_cast<unsigned>(i));
    audit::FetchedEntry entry;
    entry.index = item->getValue<std::uint64_t>("index");
    const auto bytes = pki::fromBase64(item->getValue<std::string>("entry_base64"));
    if (!bytes) throw AuditClientError("search result " + std::to_string(i) + " is not base64");
    entry.bytes = *bytes;
    entry.claimedLeafHash = audit::hashFromBase64(item->getValue<std::string>("leaf_hash"));
    entries.push_back(std::move(entry));
  }
  return entries;
}

void AuditClient::submitCosignature(const std::string& verifierKey, std::uint64_t size,
                                    const std::string& signatureLine) {
  Poco::JSON::Object body;
  body.set("verifier_key", verifierKey);
  body.set("size", size);
  body.set("cosignature", signatureLine);
  std::ostringstream text;
  body.stringify(text);
  call("POST", "/audit/cosignatures", text.str());
}

}  // namespace nser::cli
