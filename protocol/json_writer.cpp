#include "protocol/json_writer.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nser::protocol {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

}  // namespace

std::size_t utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  std::size_t plainFrom = 0;  // start of the run of bytes copied as they are
  auto flush = [&] { out.append(text.data() + plainFrom, i - plainFrom); };
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t length = utf8SequenceLength(text, i); length != 0) {
        i += length;
        continue;
      }
      flush();
      out.append(kReplacement);
      plainFrom = ++i;
      continue;
    }
    flush();
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    plainFrom = ++i;
  }
  flush();
  out.push_back('"');
}

void JsonWriter::beforeValue() {
  if (done_) throw std::logic_error("JsonWriter: a second top-level value");
  if (frames_.empty()) return;
  if (frames_.back() == Frame::Object) {
    if (!keyPending_) throw std::logic_error("JsonWriter: a value inside an object needs a key first");
    keyPending_ = false;
    return;  // key() wrote the comma
  }
  if (!firstInFrame_.back()) out_.push_back(',');
  firstInFrame_.back() = false;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (frames_.empty() || frames_.back() != Frame::Object || keyPending_) {
    throw std::logic_error("JsonWriter: a key outside an object or after another key");
  }
  if (!firstInFrame_.back()) out_.push_back(',');
  firstInFrame_.back() = false;
  appendJsonString(out_, name);
  out_.push_back(':');
  keyPending_ = true;
  return *this;
}

JsonWriter& JsonWriter::beginObject() { return open(Frame::Object, '{'); }
JsonWriter& JsonWriter::beginArray() { return open(Frame::Array, '['); }

JsonWriter& JsonWriter::endObject() {
  if (frames_.empty() || frames_.back() != Frame::Object || keyPending_) {
    throw std::logic_error("JsonWriter: endObject without an open object (or after a key)");
  }
  return close('}');
}

JsonWriter& JsonWriter::endArray() {
  if (frames_.empty() || frames_.back() != Frame::Array) {
    throw std::logic_error("JsonWriter: endArray without an open array");
  }
  return close(']');
}

JsonWriter& JsonWriter::open(Frame frame, char bracket) {
  beforeValue();
  out_.push_back(bracket);
  frames_.push_back(frame);
  firstInFrame_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_.push_back(bracket);
  frames_.pop_back();
  firstInFrame_.pop_back();
  if (frames_.empty()) done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  beforeValue();
  appendJsonString(out_, text);
  if (frames_.empty()) done_ = true;
  return *this;
}

// Numbers, booleans and null are literal JSON text: each goes through rawValue.
namespace {
template <typename Number>
std::string_view numberText(char (&buffer)[32], Number number) {
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
  return {buffer, static_cast<std::size_t>(end - buffer)};
}
}  // namespace

JsonWriter& JsonWriter::value(std::int64_t number) {
  char buffer[32];
  return rawValue(numberText(buffer, number));
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
  char buffer[32];
  return rawValue(numberText(buffer, number));
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  char buffer[32];
  return rawValue(numberText(buffer, number));
}

JsonWriter& JsonWriter::value(bool flag) { return rawValue(flag ? "true" : "false"); }

JsonWriter& JsonWriter::null() { return rawValue("null"); }

JsonWriter& JsonWriter::rawValue(std::string_view json) {
  beforeValue();
  out_.append(json);
  if (frames_.empty()) done_ = true;
  return *this;
}

std::string JsonWriter::take() {
  if (!done_) throw std::logic_error("JsonWriter: take() before the value is complete");
  std::string text = std::move(out_);
  out_.clear();
  frames_.clear();
  firstInFrame_.clear();
  keyPending_ = false;
  done_ = false;
  return text;
}

}  // namespace nser::protocol
