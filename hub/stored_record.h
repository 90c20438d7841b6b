// What the hub keeps per source record (family Records): the custodian's
// number, the ingest sequence that last wrote it, and the encoding (whose id
// is the custodian's pseudonymous reference). Never any plaintext.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cstdint>
#include <string>

#include "linkage/encoded_record.h"

namespace nser::hub {

struct StoredRecord {
  std::uint32_t custodian = 0;
  std::uint64_t version = 0;
  linkage::EncodedRecord encoding;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(custodian, version, encoding);
  }
};

// The resolution state of one present record (family Resolution): its entity
// and its links (the candidates that reached the threshold, symmetric).
struct StoredResolution {
  std::uint64_t entity = 0;
  std::vector<std::pair<std::uint32_t, double>> links;  // (record id, match probability), sorted

  template <class Archive>
  void serialize(Archive& archive) {
    archive(entity, links);
  }
};

std::string encodeStored(const StoredRecord& record);
StoredRecord decodeStoredRecord(std::string_view bytes);
std::string encodeStored(const StoredResolution& resolution);
StoredResolution decodeStoredResolution(std::string_view bytes);

}  // namespace nser::hub
