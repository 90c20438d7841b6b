// JsonWriter: writes one JSON text straight into a string, for the
// fixed-shape messages on the brokering hot path (fetch orders, the hub's
// search request and answer, the attribute server's answer, audit details),
// where building a Poco::JSON::Object tree and stringifying it through an
// ostream cost more than the work the message describes.
//
// The caller states the structure (beginObject / key / value / endObject,
// ...); the writer places the commas and colons and escapes every string:
// '"' and '\' are backslash-escaped, control characters (U+0000-U+001F) are
// written as \b \f \n \r \t or \u00XX, and valid UTF-8 passes through
// unchanged. Bytes that are not valid UTF-8 are written as U+FFFD (the
// replacement character), so the output is always valid JSON text. Numbers:
// integers exactly, doubles in the shortest form that reads back to the same
// value (non-finite doubles, which JSON cannot hold, as null).
//
// Structural misuse (a value where a key is due, an unbalanced end, take()
// before the text is complete) throws std::logic_error: it is a programming
// error, never a data problem. Not thread-safe (one writer per message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nser::protocol {

class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  // The next member's name (inside an object only).
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(unsigned number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(long long number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(unsigned long long number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // A value that is already JSON text (e.g. a nested document kept verbatim);
  // the caller vouches that it is one complete, valid JSON value.
  JsonWriter& rawValue(std::string_view json);

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& member(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  // The finished text; the writer is empty afterwards.
  std::string take();

 private:
  enum class Frame : std::uint8_t { Object, Array };
  // Called before every value: checks a value may stand here and writes the
  // separating comma.
  void beforeValue();
  JsonWriter& open(Frame frame, char bracket);
  JsonWriter& close(char bracket);  // after the caller checked the frame

  std::string out_;
  std::vector<Frame> frames_;
  std::vector<bool> firstInFrame_;
  bool keyPending_ = false;  // inside an object: a key was written, its value is due
  bool done_ = false;        // the top-level value is complete
};

// The length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF) that starts at text[i] (a byte >=
// 0x80), or 0 when it is not one. Shared with the reader (json_reader.h).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i);

// Appends `text` as a JSON string literal (quotes included) to `out`, escaped
// as described above.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace nser::protocol
