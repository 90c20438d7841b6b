#include "protocol/json_tree_writer.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace nser::protocol {

void writeJsonTree(JsonWriter& json, const Poco::JSON::Object& object) {
  json.beginObject();
  for (const auto& [name, member] : object) {
    json.key(name);
    writeJsonTree(json, member);
  }
  json.endObject();
}

void writeJsonTree(JsonWriter& json, const Poco::JSON::Array& array) {
  json.beginArray();
  for (const auto& element : array) writeJsonTree(json, element);
  json.endArray();
}

void writeJsonTree(JsonWriter& json, const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) {
    json.null();
    return;
  }
  const std::type_info& type = value.type();
  if (type == typeid(std::string)) {
    json.value(value.extract<std::string>());
  } else if (type == typeid(Poco::JSON::Object::Ptr)) {
    const auto& object = value.extract<Poco::JSON::Object::Ptr>();
    if (object) writeJsonTree(json, *object); else json.null();
  } else if (type == typeid(Poco::JSON::Array::Ptr)) {
    const auto& array = value.extract<Poco::JSON::Array::Ptr>();
    if (array) writeJsonTree(json, *array); else json.null();
  } else if (type == typeid(bool)) {
    json.value(value.extract<bool>());
  } else if (type == typeid(int)) {
    json.value(value.extract<int>());
  } else if (type == typeid(unsigned)) {
    json.value(value.extract<unsigned>());
  } else if (type == typeid(long)) {
    json.value(static_cast<std::int64_t>(value.extract<long>()));
  } else if (type == typeid(unsigned long)) {
    json.value(static_cast<std::uint64_t>(value.extract<unsigned long>()));
  } else if (type == typeid(long long)) {
    json.value(value.extract<long long>());
  } else if (type == typeid(unsigned long long)) {
    json.value(value.extract<unsigned long long>());
  } else if (type == typeid(double)) {
    json.value(value.extract<double>());
  } else if (type == typeid(float)) {
    json.value(static_cast<double>(value.extract<float>()));
  } else {
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(value, text);
    json.rawValue(text.str());
  }
}

}  // namespace nser::protocol
