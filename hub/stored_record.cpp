#include "hub/stored_record.h"

#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>

namespace nser::hub {
namespace {

template <class T>
std::string encode(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(value);
  }
  return out.str();
}

template <class T>
T decode(std::string_view bytes) {
  std::istringstream in(std::string(bytes), std::ios::binary);
  cereal::PortableBinaryInputArchive archive(in);
  T value;
  archive(value);
  return value;
}

}  // namespace

std::string encodeStored(const StoredRecord& record) { return encode(record); }
StoredRecord decodeStoredRecord(std::string_view bytes) { return decode<StoredRecord>(bytes); }
std::string encodeStored(const StoredResolution& resolution) { return encode(resolution); }
StoredResolution decodeStoredResolution(std::string_view bytes) { return decode<StoredResolution>(bytes); }

}  // namespace nser::hub
