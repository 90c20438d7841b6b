// writeJsonTree: writes a parsed Poco JSON value (Poco::JSON::Object::Ptr,
// Array::Ptr, string, number, bool or empty = null) through a JsonWriter
// (protocol/json_writer.h), for messages that relay parts of a document they
// parsed (the programme gateway passes the hub's answers on). The same text
// Poco's stringify writes, members in the object's own order, but without
// its per-value stream and string copies; strings are escaped by the
// JsonWriter's rules. Values of other types (never produced by the parser)
// are written by Poco's Stringifier.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "protocol/json_writer.h"

namespace nser::protocol {

void writeJsonTree(JsonWriter& json, const Poco::Dynamic::Var& value);
void writeJsonTree(JsonWriter& json, const Poco::JSON::Object& object);
void writeJsonTree(JsonWriter& json, const Poco::JSON::Array& array);

}  // namespace nser::protocol
