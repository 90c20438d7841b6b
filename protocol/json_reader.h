// JsonDocument / JsonValue: a strict, allocation-light JSON reader for the
// fixed-shape messages on the brokering hot path (the hub's search request
// and answer, fetch orders and the custodian's reply, sealed attributes),
// where Poco's parser built a tree of reference-counted objects, std::maps
// and Dynamic::Vars per message.
//
// parse() reads one JSON text as RFC 8259 defines it and rejects anything
// else, throwing JsonSyntaxError "<what> at line L, column C":
//   - one value (any kind) surrounded only by space, tab, CR and LF; no BOM,
//     no comments, no trailing commas, no single quotes, no NaN/Infinity;
//   - strings: every escape (\" \\ \/ \b \f \n \r \t \uXXXX), a \uXXXX high
//     surrogate only when a \uXXXX low surrogate follows (the pair is decoded
//     to one code point), a lone surrogate rejected; raw control characters
//     (U+0000-U+001F) rejected; bytes outside escapes must be well-formed
//     UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
//     U+10FFFF). Decoded strings are UTF-8 (\u0000 decodes to a NUL byte);
//   - numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as their
//     text and converted on request;
//   - nesting deeper than `maxDepth` arrays/objects is refused (no stack
//     exhaustion on hostile input).
// Duplicate member names are accepted and find() answers the last one, as
// the Poco::JSON::Object these messages were read into did.
//
// The document holds every value in one flat vector (preorder, each node
// knowing where its subtree ends) and every decoded string in one buffer:
// two allocations per message. JsonValue is a (document, index) handle,
// valid while its document lives; copying one is free. Immutable after
// parse(), so a document may be read from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nser::protocol {

class JsonSyntaxError : public std::runtime_error {
 public:
  JsonSyntaxError(const std::string& what, std::size_t offset) : std::runtime_error(what), offset_(offset) {}
  // Byte offset in the text where the problem was found.
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

enum class JsonKind : std::uint8_t { Null, False, True, Number, String, Array, Object };

class JsonDocument;

class JsonValue {
 public:
  JsonValue() = default;  // absent: what find() answers for a missing member
  bool present() const { return document_ != nullptr; }
  explicit operator bool() const { return present(); }
  // The same value of the same document (not an equal value elsewhere).
  bool operator==(const JsonValue& other) const {
    return document_ == other.document_ && index_ == other.index_;
  }

  JsonKind kind() const;  // JsonKind::Null when absent
  bool isNull() const { return present() && kind() == JsonKind::Null; }
  bool isBool() const { return present() && (kind() == JsonKind::True || kind() == JsonKind::False); }
  bool isNumber() const { return present() && kind() == JsonKind::Number; }
  bool isString() const { return present() && kind() == JsonKind::String; }
  bool isArray() const { return present() && kind() == JsonKind::Array; }
  bool isObject() const { return present() && kind() == JsonKind::Object; }

  // The decoded text of a string, the source text of a number; "" otherwise.
  std::string_view text() const;
  // A string's text, or nullopt for anything else (absent included).
  std::optional<std::string_view> string() const;
  // A number with an integral value in [INT64_MIN, INT64_MAX] ("3.0" and
  // "3e2" count), or nullopt for anything else.
  std::optional<std::int64_t> integer() const;
  // A number as the nearest double (nullopt for non-numbers and overflow).
  std::optional<double> number() const;
  bool isTrue() const { return present() && kind() == JsonKind::True; }

  // The name of this value when it is an object member; "" otherwise.
  std::string_view key() const;
  // Members of an object or elements of an array (0 for anything else).
  std::size_t size() const;
  // The last member named `name`; absent when there is none or this is not
  // an object.
  JsonValue find(std::string_view name) const;

  // Iterates the members of an object (see key()) or the elements of an
  // array; empty for anything else.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = JsonValue;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonValue;

    Iterator() = default;
    JsonValue operator*() const { return JsonValue(document_, index_); }
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator!=(const Iterator& other) const { return index_ != other.index_; }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    friend class JsonValue;
    Iterator(const JsonDocument* document, std::uint32_t index) : document_(document), index_(index) {}
    const JsonDocument* document_ = nullptr;
    std::uint32_t index_ = 0;
  };
  Iterator begin() const;
  Iterator end() const;

  // A short description for error messages: null, true, false, the number,
  // "the string" (quoted, cut at 40 characters), an object, an array, absent.
  std::string describe() const;

 private:
  friend class JsonDocument;
  JsonValue(const JsonDocument* document, std::uint32_t index) : document_(document), index_(index) {}
  const JsonDocument* document_ = nullptr;
  std::uint32_t index_ = 0;
};

class JsonDocument {
 public:
  static constexpr std::size_t kDefaultMaxDepth = 64;

  // Throws JsonSyntaxError; texts over 1 GiB are refused (node offsets are 32-bit).
  static JsonDocument parse(std::string_view text, std::size_t maxDepth = kDefaultMaxDepth);

  JsonValue root() const { return JsonValue(this, 0); }

  // Movable, not copyable; handles point at the document, so take them
  // after it has reached its final place.
  JsonDocument(JsonDocument&&) noexcept = default;
  JsonDocument& operator=(JsonDocument&&) noexcept = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

 private:
  friend class JsonValue;
  friend class JsonParser;
  JsonDocument() = default;

  struct Node {
    JsonKind kind = JsonKind::Null;
    std::uint32_t end = 0;        // index one past this node's subtree
    std::uint32_t count = 0;      // members or elements
    std::uint32_t keyOffset = 0;  // member name in strings_ (object members)
    std::uint32_t keyLength = 0;
    std::uint32_t offset = 0;  // string or number text in strings_
    std::uint32_t length = 0;
  };
  std::string_view slice(std::uint32_t offset, std::uint32_t length) const {
    return std::string_view(strings_).substr(offset, length);
  }

  std::vector<Node> nodes_;
  std::string strings_;
};

}  // namespace nser::protocol
