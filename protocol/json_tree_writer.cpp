#include "protocol/json_tree_writer.h"

namespace nser::protocol {

void writeJsonTree(JsonWriter& json, JsonValue value) {
  switch (value.kind()) {
    case JsonKind::Null: json.null(); return;
    case JsonKind::True: json.value(true); return;
    case JsonKind::False: json.value(false); return;
    case JsonKind::Number: json.rawValue(value.text()); return;
    case JsonKind::String: json.value(value.text()); return;
    case JsonKind::Array:
      json.beginArray();
      for (const JsonValue element : value) writeJsonTree(json, element);
      json.endArray();
      return;
    case JsonKind::Object:
      json.beginObject();
      for (const JsonValue member : value) {
        json.key(member.key());
        writeJsonTree(json, member);
      }
      json.endObject();
      return;
  }
}

}  // namespace nser::protocol
