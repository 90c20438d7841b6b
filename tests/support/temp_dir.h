// A fresh directory under $TMPDIR (or /tmp), removed with its contents when the
// TempDir goes out of scope unless NSER_KEEP_TEST_DIRS is set (for debugging).
#pragma once

#include <filesystem>
#include <string>

namespace nser::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "nser-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Whole file as a string ("" when missing).
std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, const std::string& content);

}  // namespace nser::testing
