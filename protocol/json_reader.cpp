#include "protocol/json_reader.h"

#include <charconv>
#include <cmath>

#include "linkage/utf8_codec.h"
#include "protocol/json_writer.h"

namespace nser::protocol {

// Recursive descent over the text, appending nodes in preorder.
class JsonParser {
 public:
  JsonParser(std::string_view text, std::size_t maxDepth, JsonDocument& document)
      : text_(text), maxDepth_(maxDepth), nodes_(document.nodes_), strings_(document.strings_) {}

  void parseDocument() {
    // Decoded strings and number texts are never longer than the input.
    strings_.reserve(text_.size());
    nodes_.reserve(text_.size() / 8 + 4);
    skipSpace();
    parseValue(0, 0, 0);
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected text after the JSON value");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { failAt(what, pos_); }
  [[noreturn]] void failAt(const std::string& what, std::size_t at) const {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw JsonSyntaxError(what + " at line " + std::to_string(line) + ", column " + std::to_string(column), at);
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  void expectLiteral(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) fail("invalid literal (expected " + std::string(literal) + ")");
    pos_ += literal.size();
  }

  // Appends one node for the value at pos_ (and its subtree).
  void parseValue(std::size_t depth, std::uint32_t keyOffset, std::uint32_t keyLength) {
    if (atEnd()) fail("unexpected end of text (expected a value)");
    const auto index = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back({});
    JsonDocument::Node node;
    node.keyOffset = keyOffset;
    node.keyLength = keyLength;
    switch (peek()) {
      case '{': node.kind = JsonKind::Object; node.count = parseObject(depth + 1); break;
      case '[': node.kind = JsonKind::Array; node.count = parseArray(depth + 1); break;
      case '"':
        node.kind = JsonKind::String;
        parseString(node.offset, node.length);
        break;
      case 't': expectLiteral("true"); node.kind = JsonKind::True; break;
      case 'f': expectLiteral("false"); node.kind = JsonKind::False; break;
      case 'n': expectLiteral("null"); node.kind = JsonKind::Null; break;
      default:
        if (peek() != '-' && (peek() < '0' || peek() > '9')) fail("unexpected character (expected a value)");
        node.kind = JsonKind::Number;
        parseNumber(node.offset, node.length);
    }
    node.end = static_cast<std::uint32_t>(nodes_.size());
    nodes_[index] = node;
  }

  std::uint32_t parseObject(std::size_t depth) {
    if (depth > maxDepth_) fail("nested deeper than " + std::to_string(maxDepth_) + " levels");
    ++pos_;  // '{'
    skipSpace();
    std::uint32_t count = 0;
    if (!atEnd() && peek() == '}') {
      ++pos_;
      return count;
    }
    while (true) {
      if (atEnd()) fail("unexpected end of text in an object");
      if (peek() != '"') fail("expected a member name in double quotes");
      std::uint32_t keyOffset = 0;
      std::uint32_t keyLength = 0;
      parseString(keyOffset, keyLength);
      skipSpace();
      if (atEnd() || peek() != ':') fail("expected ':' after a member name");
      ++pos_;
      skipSpace();
      parseValue(depth, keyOffset, keyLength);
      ++count;
      skipSpace();
      if (atEnd()) fail("unexpected end of text in an object");
      if (peek() == ',') {
        ++pos_;
        skipSpace();
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return count;
      }
      fail("expected ',' or '}' in an object");
    }
  }

  std::uint32_t parseArray(std::size_t depth) {
    if (depth > maxDepth_) fail("nested deeper than " + std::to_string(maxDepth_) + " levels");
    ++pos_;  // '['
    skipSpace();
    std::uint32_t count = 0;
    if (!atEnd() && peek() == ']') {
      ++pos_;
      return count;
    }
    while (true) {
      parseValue(depth, 0, 0);
      ++count;
      skipSpace();
      if (atEnd()) fail("unexpected end of text in an array");
      if (peek() == ',') {
        ++pos_;
        skipSpace();
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return count;
      }
      fail("expected ',' or ']' in an array");
    }
  }

  unsigned hex4() {
    if (text_.size() - pos_ < 4) fail("unexpected end of text in a \\u escape");
    unsigned value = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        failAt("invalid hex digit in a \\u escape", pos_ - 1);
      }
    }
    return value;
  }


  // The string literal at pos_ (opening quote), decoded into strings_.
  void parseString(std::uint32_t& offset, std::uint32_t& length) {
    const std::size_t opening = pos_++;
    offset = static_cast<std::uint32_t>(strings_.size());
    std::size_t runFrom = pos_;  // bytes copied as they are
    auto flush = [&] { strings_.append(text_.data() + runFrom, pos_ - runFrom); };
    while (true) {
      if (atEnd()) failAt("unterminated string", opening);
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        flush();
        ++pos_;
        break;
      }
      if (c < 0x20) fail("control character in a string (it must be escaped)");
      if (c >= 0x80) {
        const std::size_t sequence = utf8SequenceLength(text_, pos_);
        if (sequence == 0) fail("invalid UTF-8 in a string");
        pos_ += sequence;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      flush();
      ++pos_;
      if (atEnd()) failAt("unterminated string", opening);
      const char escape = text_[pos_++];
      switch (escape) {
        case '"': strings_.push_back('"'); break;
        case '\\': strings_.push_back('\\'); break;
        case '/': strings_.push_back('/'); break;
        case 'b': strings_.push_back('\b'); break;
        case 'f': strings_.push_back('\f'); break;
        case 'n': strings_.push_back('\n'); break;
        case 'r': strings_.push_back('\r'); break;
        case 't': strings_.push_back('\t'); break;
        case 'u': {
          const std::size_t escapeAt = pos_ - 2;
          unsigned codePoint = hex4();
          if (codePoint >= 0xDC00 && codePoint <= 0xDFFF) failAt("lone low surrogate in a \\u escape", escapeAt);
          if (codePoint >= 0xD800 && codePoint <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") failAt("high surrogate not followed by a low surrogate", escapeAt);
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) failAt("high surrogate not followed by a low surrogate", escapeAt);
            codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00);
          }
          linkage::utf8::appendUtf8(strings_, static_cast<char32_t>(codePoint));
          break;
        }
        default: failAt("invalid escape in a string", pos_ - 2);
      }
      runFrom = pos_;
    }
    length = static_cast<std::uint32_t>(strings_.size() - offset);
  }

  void parseNumber(std::uint32_t& offset, std::uint32_t& length) {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (!atEnd() && peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (atEnd() || peek() < '0' || peek() > '9') fail("expected a digit in a number");
    if (peek() == '0') {
      ++pos_;
      if (!atEnd() && peek() >= '0' && peek() <= '9') fail("leading zero in a number");
    } else {
      digits();
    }
    if (!atEnd() && peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("expected a digit after the decimal point");
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!atEnd() && (peek() == '+' || peek() == '-')) ++pos_;
      if (digits() == 0) fail("expected a digit in the exponent");
    }
    offset = static_cast<std::uint32_t>(strings_.size());
    length = static_cast<std::uint32_t>(pos_ - start);
    strings_.append(text_.data() + start, pos_ - start);
  }

  std::string_view text_;
  std::size_t maxDepth_;
  std::size_t pos_ = 0;
  std::vector<JsonDocument::Node>& nodes_;
  std::string& strings_;
};

JsonDocument JsonDocument::parse(std::string_view text, std::size_t maxDepth) {
  if (text.size() > (std::size_t{1} << 30)) throw JsonSyntaxError("text larger than 1 GiB", 0);
  JsonDocument document;
  JsonParser(text, maxDepth, document).parseDocument();
  return document;
}

// --- JsonValue --------------------------------------------------------------

JsonKind JsonValue::kind() const {
  return present() ? document_->nodes_[index_].kind : JsonKind::Null;
}

std::string_view JsonValue::text() const {
  if (!present()) return {};
  const auto& node = document_->nodes_[index_];
  if (node.kind != JsonKind::String && node.kind != JsonKind::Number) return {};
  return document_->slice(node.offset, node.length);
}

std::optional<std::string_view> JsonValue::string() const {
  if (!isString()) return std::nullopt;
  return text();
}

std::optional<std::int64_t> JsonValue::integer() const {
  if (!isNumber()) return std::nullopt;
  const std::string_view digits = text();
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc() && end == digits.data() + digits.size()) return value;
  if (error == std::errc::result_out_of_range) return std::nullopt;
  // A fraction or exponent: integral values ("3.0", "3e2") still count.
  const std::optional<double> d = number();
  if (!d || std::floor(*d) != *d || *d < -9223372036854775808.0 || *d >= 9223372036854775808.0) return std::nullopt;
  return static_cast<std::int64_t>(*d);
}

std::optional<double> JsonValue::number() const {
  if (!isNumber()) return std::nullopt;
  const std::string_view digits = text();
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string_view JsonValue::key() const {
  if (!present()) return {};
  const auto& node = document_->nodes_[index_];
  return document_->slice(node.keyOffset, node.keyLength);
}

std::size_t JsonValue::size() const {
  if (!isArray() && !isObject()) return 0;
  return document_->nodes_[index_].count;
}

JsonValue JsonValue::find(std::string_view name) const {
  JsonValue found;
  if (!isObject()) return found;
  for (JsonValue member : *this) {
    if (member.key() == name) found = member;
  }
  return found;
}

JsonValue::Iterator& JsonValue::Iterator::operator++() {
  index_ = document_->nodes_[index_].end;
  return *this;
}

JsonValue::Iterator JsonValue::begin() const {
  if (!isArray() && !isObject()) return end();
  return Iterator(document_, index_ + 1);
}

JsonValue::Iterator JsonValue::end() const {
  return Iterator(document_, present() ? document_->nodes_[index_].end : 0);
}

std::string JsonValue::describe() const {
  if (!present()) return "absent";
  switch (kind()) {
    case JsonKind::Null: return "null";
    case JsonKind::True: return "true";
    case JsonKind::False: return "false";
    case JsonKind::Object: return "an object";
    case JsonKind::Array: return "an array";
    case JsonKind::Number: {
      const std::string_view digits = text();
      return digits.size() > 40 ? std::string(digits.substr(0, 37)) + "..." : std::string(digits);
    }
    case JsonKind::String: {
      std::string quoted;
      const std::string_view value = text();
      if (value.size() > 40) {
        // Cut on a character boundary; the writer escapes what needs it.
        std::size_t cut = 37;
        while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
        appendJsonString(quoted, value.substr(0, cut));
        quoted.insert(quoted.size() - 1, "...");
      } else {
        appendJsonString(quoted, value);
      }
      return quoted;
    }
  }
  return "a value";
}

}  // namespace nser::protocol
