// Tokenisation of a formatted feature value the way clkhash's comparators do
// it, producing the exact bytes clkhash hashes (the token text encoded with
// the feature's Python codec, see utf8_codec.h):
//
//  - ngram n (n >= 1): the value padded with n-1 spaces on both sides (n > 1
//    only), then every run of n code points, in order, duplicates kept:
//    "ab", n=2 -> " a", "ab", "b ". Positional n-grams are prefixed with
//    their 1-based position and a space: "1  a", "2 ab", "3 b ".
//  - exact: the whole value as one token.
//  - numeric (thresholdDistance d, resolution r, fractional_precision p):
//    the value v is read with Python int() (then scaled by 10^p) or, failing
//    that, float() (scaled by 10^p and rounded half-to-even when p > 0,
//    truncated when p == 0); v is multiplied by 2r, snapped to the nearest
//    multiple of D = round(d * 10^p) (ties upwards, as clkhash), and the
//    2r+1 tokens are the decimal strings of v + i*D for i = -r..r.
//  - an empty value gives no tokens (clkhash then sets no bits).
//
// Tokens go into a reusable TokenList (one flat buffer, no allocation per
// token once warmed up).
//
// ClkTokenizer is immutable; tokenize() is thread-safe (the TokenList is the
// caller's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/clk_schema.h"

namespace nser::linkage {

class TokenList {
 public:
  void clear() {
    bytes_.clear();
    ends_.clear();
  }
  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }

  // Building: append the token's bytes to buffer(), then endToken().
  std::string& buffer() { return bytes_; }
  void endToken() { ends_.push_back(static_cast<std::uint32_t>(bytes_.size())); }
  // Or, having written several tokens into a buffer sized ahead: ends the
  // current token at byte `end` of buffer() (the buffer is trimmed later).
  void endTokenAt(std::size_t end) { ends_.push_back(static_cast<std::uint32_t>(end)); }
  // Scratch space for the tokenizer (decoded code points; padded ASCII
  // text), reused.
  std::vector<char32_t>& codePoints() { return codePoints_; }
  std::string& text() { return text_; }

 private:
  std::string bytes_;
  std::vector<std::uint32_t> ends_;
  std::vector<char32_t> codePoints_;
  std::string text_;
};

class ClkTokenizer {
 public:
  // Throws std::invalid_argument for a numeric comparison whose
  // thresholdDistance rounds to 0 at the fractional precision (clkhash: "not
  // enough fractional precision").
  ClkTokenizer(const Comparison& comparison, TextEncoding encoding);

  // Appends the tokens of `value` (valid UTF-8) to `out`. Returns false and
  // sets `reason` when the value cannot be tokenised: a numeric value that is
  // not a number or is out of range, or a character the encoding (ascii)
  // cannot represent.
  bool tokenize(std::string_view value, TokenList& out, std::string& reason) const;

  // The numeric comparison's distance interval D (0 for other comparisons).
  std::int64_t distanceInterval() const { return distanceInterval_; }

 private:
  bool tokenizeNgrams(std::string_view value, TokenList& out, std::string& reason) const;
  bool tokenizeNumeric(std::string_view value, TokenList& out, std::string& reason) const;
  // Appends `text` (valid UTF-8) in the feature's encoding; false for ascii
  // with a non-ASCII character.
  bool appendEncodedText(std::string& out, std::string_view text) const;
  bool appendEncoded(std::string& out, char32_t codePoint) const;
  void appendByteOrderMark(std::string& out) const;

  Comparison comparison_;
  TextEncoding encoding_;
  std::int64_t distanceInterval_ = 0;
};

}  // namespace nser::linkage
