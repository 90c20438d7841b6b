// UTF-8 decoding and the Unicode transfer encodings clkhash hashes tokens in.
//
// decodeNext() is strict (RFC 3629): it rejects overlong forms, surrogates,
// code points above U+10FFFF and truncated sequences, so a value that passes
// isValidUtf8() is exactly a Python str read from a UTF-8 file.
//
// The append* encoders reproduce Python's str.encode(codec) byte for byte,
// including Python's byte-order marks: "utf-16" writes FF FE then UTF-16LE,
// "utf-32" writes FF FE 00 00 then UTF-32LE (Python uses the machine's order;
// clkhash runs on little-endian machines, so this is what its CLKs contain).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nser::linkage::utf8 {

inline constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point starting at text[pos] and advances pos past it.
// Returns kInvalid (and advances pos by one byte) on a malformed sequence.
char32_t decodeNext(std::string_view text, std::size_t& pos);

bool isValidUtf8(std::string_view text);
// Number of code points (Python len()); text must be valid UTF-8.
std::size_t codePointCount(std::string_view text);

void appendUtf8(std::string& out, char32_t codePoint);
// UTF-16LE code units (surrogate pairs above U+FFFF), no byte-order mark.
void appendUtf16Le(std::string& out, char32_t codePoint);
void appendUtf32Le(std::string& out, char32_t codePoint);

// Python's str.isspace() for one code point (Unicode 14 whitespace).
bool isPythonWhitespace(char32_t codePoint);
// The value 0-9 of a Unicode decimal digit (category Nd, Unicode 14, the
// digits Python's int() and float() accept), or -1.
int decimalDigitValue(char32_t codePoint);

}  // namespace nser::linkage::utf8
