// clkhash's CLK file: {"clks": ["<base64>", "<base64>", ...]}, the output of
// `clkhash hash` / `anonlink encode` and the input of the anonlink entity
// service. Each entry is BloomFilter::toBase64() (standard base64 of the
// clkhash byte order).
//
// ClkJsonWriter streams the file in constant memory and writes exactly what
// Python's json.dump({"clks": clks}, f) writes (", " between entries, no
// trailing newline), so a compatible run reproduces clkhash's file byte for
// byte. Not thread-safe (one writer per stream).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "linkage/bloom_filter.h"

namespace nser::linkage {

class ClkJsonWriter {
 public:
  // Writes the opening `{"clks": [`.
  explicit ClkJsonWriter(std::ostream& out);
  void add(const BloomFilter& clk);
  // Writes the closing `]}` (once; further calls do nothing).
  void finish();
  std::size_t count() const { return count_; }

 private:
  std::ostream& out_;
  std::size_t count_ = 0;
  bool finished_ = false;
};

// Reads a clkhash CLK file. Throws schemas::DocumentError naming the file and
// the entry ("clks[12]") when it is not such a file or an entry is not valid
// base64 of a whole number of 64-bit words.
std::vector<BloomFilter> readClkJson(const std::string& path);

}  // namespace nser::linkage
