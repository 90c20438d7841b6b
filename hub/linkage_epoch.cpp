#include "hub/linkage_epoch.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "hub/hub_store.h"

namespace nser::hub {

std::string KeyEpochs::toJson() const {
  Poco::JSON::Object object;
  object.set("current", current);
  object.set("current_key_fingerprint", currentFingerprint);
  object.set("next", next);
  object.set("next_key_fingerprint", nextFingerprint);
  object.set("prepared_at", preparedAt);
  object.set("prepared_by", preparedBy);
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

KeyEpochs KeyEpochs::fromJson(std::string_view json) {
  try {
    Poco::JSON::Parser parser;
    const auto object = parser.parse(std::string(json)).extract<Poco::JSON::Object::Ptr>();
    KeyEpochs epochs;
    epochs.current = object->getValue<std::uint32_t>("current");
    epochs.currentFingerprint = object->optValue<std::string>("current_key_fingerprint", "");
    epochs.next = object->optValue<std::uint32_t>("next", 0);
    epochs.nextFingerprint = object->optValue<std::string>("next_key_fingerprint", "");
    epochs.preparedAt = object->optValue<std::string>("prepared_at", "");
    epochs.preparedBy = object->optValue<std::string>("prepared_by", "");
    if (epochs.current == 0) throw StoreError("current epoch 0");
    return epochs;
  } catch (const StoreError& e) {
    throw StoreError(std::string("hub store: meta ") + std::string(kKeyEpochsKey) + ": " + e.what());
  } catch (const std::exception& e) {
    throw StoreError(std::string("hub store: meta ") + std::string(kKeyEpochsKey) + " is malformed: " + e.what());
  }
}

}  // namespace nser::hub
