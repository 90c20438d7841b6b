#include "hub/stored_record.h"

#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>
#include "schemas/binary_codec.h"

namespace nser::hub {

std::string encodeStored(const StoredRecord& record) { return schemas::encodeBinary(record); }
StoredRecord decodeStoredRecord(std::string_view bytes) { return schemas::decodeBinary<StoredRecord>(bytes); }
std::string encodeStored(const StoredResolution& resolution) { return schemas::encodeBinary(resolution); }
StoredResolution decodeStoredResolution(std::string_view bytes) { return schemas::decodeBinary<StoredResolution>(bytes); }

}  // namespace nser::hub
