// writeJsonTree: writes a value read by JsonDocument (protocol/json_reader.h)
// through a JsonWriter (protocol/json_writer.h), for messages that relay
// parts of a document they read (the programme gateway passes the hub's
// answers on): members in document order, strings re-escaped by the
// JsonWriter's rules, numbers as the exact text they were read from.
#pragma once

#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace nser::protocol {

void writeJsonTree(JsonWriter& json, JsonValue value);

}  // namespace nser::protocol
