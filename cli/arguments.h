// Parses a subcommand's arguments against the options it declares.
// `--name value`, `--name=value` and boolean `--flag` are accepted; anything
// after `--` is positional. Unknown options, a missing value and a repeated
// single-valued option raise UsageError, whose message names the option;
// subcommands turn it into exit code 2.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nser::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;          // without the leading "--"
  bool takesValue = true;    // false: a boolean flag
  bool repeatable = false;   // may be given more than once
};

class Arguments {
 public:
  // Throws UsageError on an unknown option or a missing value.
  static Arguments parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Throws UsageError naming the option when it is absent.
  const std::string& required(const std::string& name) const;
  std::string valueOr(const std::string& name, const std::string& fallback) const;
  const std::vector<std::string>& all(const std::string& name) const;
  // Parses an integer option within [min, max]; UsageError names the option.
  std::int64_t integerOr(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  double realOr(const std::string& name, double fallback, double min, double max) const;

  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace nser::cli
