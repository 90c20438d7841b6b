#include "linkage/clk_feature_format.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>
#include <Poco/Unicode.h>

#include <algorithm>
#include <stdexcept>

#include "linkage/python_number.h"
#include "linkage/python_strptime.h"
#include "linkage/utf8_codec.h"

namespace nser::linkage {

ClkFeatureFormatter::ClkFeatureFormatter(const ClkFeature& feature)
    : format_(feature.format), missing_(feature.hashing.missingValue) {
  if (format_.type == FormatType::String && format_.string.pattern) {
    // clkhash compiles "(?:pattern)\Z" and matches at the start: a full match.
    // (*UCP) makes \d, \w, \s Unicode-aware like Python's str patterns.
    const std::string wrapped = "(*UCP)(?:" + *format_.string.pattern + ")\\z";
    try {
      pattern_ = std::make_unique<Poco::RegularExpression>(wrapped, Poco::RegularExpression::RE_UTF8);
    } catch (const Poco::Exception& error) {
      throw std::invalid_argument("invalid regular expression: " + error.message());
    }
  }
  if (format_.type == FormatType::Date) date_ = std::make_unique<PythonStrptime>(format_.date.format);
}

ClkFeatureFormatter::~ClkFeatureFormatter() = default;
ClkFeatureFormatter::ClkFeatureFormatter(ClkFeatureFormatter&&) noexcept = default;
ClkFeatureFormatter& ClkFeatureFormatter::operator=(ClkFeatureFormatter&&) noexcept = default;

bool ClkFeatureFormatter::format(std::string_view raw, std::string& out, std::string& reason) const {
  if (missing_ && raw == missing_->sentinel) {
    out.assign(missing_->replaceWith);
    return true;
  }
  if (!utf8::isValidUtf8(raw)) {
    reason = "is not valid UTF-8";
    return false;
  }
  switch (format_.type) {
    case FormatType::String:
      return formatString(raw, out, reason);
    case FormatType::Integer: {
      const ParsedInteger parsed = parsePythonInt(raw);
      if (parsed.status == NumberStatus::Invalid) {
        reason = "is not a base-10 integer";
        return false;
      }
      if (parsed.status == NumberStatus::OutOfRange) {
        reason = "is an integer outside the supported 64-bit range";
        return false;
      }
      if (format_.integer.minimum && parsed.value < *format_.integer.minimum) {
        reason = "is below the minimum " + std::to_string(*format_.integer.minimum);
        return false;
      }
      if (format_.integer.maximum && parsed.value > *format_.integer.maximum) {
        reason = "is above the maximum " + std::to_string(*format_.integer.maximum);
        return false;
      }
      out.assign(std::to_string(parsed.value));
      return true;
    }
    case FormatType::Date: {
      const StrptimeResult parsed = date_->parse(raw);
      if (!parsed.ok) {
        reason = std::string(parsed.reason) + " (format '" + date_->format() + "')";
        return false;
      }
      out.clear();
      PythonStrptime::appendClkhashDate(out, parsed.date);
      return true;
    }
    case FormatType::Enum: {
      const auto& values = format_.enumeration.values;
      if (std::find(values.begin(), values.end(), raw) == values.end()) {
        reason = "is not one of the enum values";
        return false;
      }
      out.assign(raw);
      return true;
    }
  }
  reason = "has an unknown format type";
  return false;
}

bool ClkFeatureFormatter::formatString(std::string_view raw, std::string& out, std::string& reason) const {
  const StringFormat& spec = format_.string;
  if (spec.encoding == TextEncoding::Ascii) {
    for (char c : raw) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        reason = "cannot be encoded as ascii";
        return false;
      }
    }
  }
  if (pattern_) {
    Poco::RegularExpression::Match match;
    const std::string subject(raw);
    int count = 0;
    try {
      count = pattern_->match(subject, 0, match, Poco::RegularExpression::RE_ANCHORED);
    } catch (const Poco::Exception&) {
      count = 0;  // e.g. PCRE's backtracking limit: treat as no match
    }
    if (count == 0 || match.offset != 0 || match.length != subject.size()) {
      reason = "does not match the pattern";
      return false;
    }
    out.assign(raw);
    return true;
  }
  const std::size_t length = utf8::codePointCount(raw);
  if (spec.minLength && length < *spec.minLength) {
    reason = "is shorter than minLength " + std::to_string(*spec.minLength) + " (" + std::to_string(length) +
             " characters)";
    return false;
  }
  if (spec.maxLength && length > *spec.maxLength) {
    reason = "is longer than maxLength " + std::to_string(*spec.maxLength) + " (" + std::to_string(length) +
             " characters)";
    return false;
  }
  if (spec.letterCase != LetterCase::Mixed) {
    const bool wantLower = spec.letterCase == LetterCase::Lower;
    std::size_t pos = 0;
    while (pos < raw.size()) {
      const auto byte = static_cast<unsigned char>(raw[pos]);
      if (byte < 0x80) {  // ASCII fast path: no table lookup
        ++pos;
        if (wantLower ? (byte >= 'A' && byte <= 'Z') : (byte >= 'a' && byte <= 'z')) {
          reason = wantLower ? "is not lower case" : "is not upper case";
          return false;
        }
        continue;
      }
      const auto cp = static_cast<int>(utf8::decodeNext(raw, pos));
      const int mapped = wantLower ? Poco::Unicode::toLower(cp) : Poco::Unicode::toUpper(cp);
      if (mapped != cp) {
        reason = wantLower ? "is not lower case" : "is not upper case";
        return false;
      }
    }
  }
  out.assign(raw);
  return true;
}

}  // namespace nser::linkage
