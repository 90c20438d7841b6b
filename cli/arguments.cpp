#include "arguments.h"

#include <charconv>
#include <cstdlib>

namespace nser::cli {

namespace {
const OptionSpec* findSpec(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}
}  // namespace

Arguments Arguments::parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  Arguments parsed;
  bool onlyPositionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (onlyPositionals || arg.size() < 2 || arg.rfind("--", 0) != 0) {
      if (!onlyPositionals && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        throw UsageError("unknown option '" + arg + "'");
      }
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      onlyPositionals = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inlineValue;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = findSpec(specs, name);
    if (spec == nullptr) throw UsageError("unknown option '--" + name + "'");
    std::string value;
    if (spec->takesValue) {
      if (inlineValue) {
        value = *inlineValue;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw UsageError("option '--" + name + "' needs a value");
      }
    } else if (inlineValue) {
      throw UsageError("option '--" + name + "' takes no value");
    }
    auto& slot = parsed.values_[name];
    if (!slot.empty() && !spec->repeatable) throw UsageError("option '--" + name + "' given more than once");
    slot.push_back(std::move(value));
  }
  return parsed;
}

const std::string& Arguments::required(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw UsageError("missing required option '--" + name + "'");
  return it->second.front();
}

std::string Arguments::valueOr(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.front();
}

const std::vector<std::string>& Arguments::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

std::int64_t Arguments::integerOr(const std::string& name, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) const {
  if (!has(name)) return fallback;
  const std::string& text = required(name);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError("option '--" + name + "' expects an integer, got '" + text + "'");
  }
  if (value < min || value > max) {
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + text);
  }
  return value;
}

double Arguments::realOr(const std::string& name, double fallback, double min, double max) const {
  if (!has(name)) return fallback;
  const std::string& text = required(name);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    throw UsageError("option '--" + name + "' expects a number, got '" + text + "'");
  }
  if (!(value >= min && value <= max)) {
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + text);
  }
  return value;
}

}  // namespace nser::cli
