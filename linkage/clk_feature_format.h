// ClkFeatureFormatter: validates one raw value of a clkhash feature and turns
// it into the text clkhash tokenises (clkhash's FieldSpec.validate +
// format_value), per the feature's "format" and "missingValue":
//
//  - the missing-value sentinel (exact match) is replaced by replaceWith and
//    never validated;
//  - string: encodable in the declared encoding (ascii: code points < 128),
//    then either the pattern must match the whole value, or the length in
//    code points must be within minLength..maxLength and the value must be
//    unchanged by lower()/upper() for case "lower"/"upper"; the value is
//    hashed as is (clkhash validates case, it does not fold it);
//  - integer: Python int(value, 10) (see python_number.h) within
//    minimum..maximum; hashed as str(int) ("+013" -> "13");
//  - date: Python datetime.strptime with the format (python_strptime.h);
//    hashed as %Y%m%d;
//  - enum: one of the values (exact, case-sensitive); hashed as is.
//
// A value that fails is a data problem, reported as a value (false + reason),
// never thrown. Reasons name the rule broken, never the value.
//
// Immutable after construction; format() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "linkage/clk_schema.h"

namespace Poco {
class RegularExpression;
}

namespace nser::linkage {

class PythonStrptime;

class ClkFeatureFormatter {
 public:
  // Throws std::invalid_argument when the pattern or date format does not
  // compile. `feature` must not be ignored.
  explicit ClkFeatureFormatter(const ClkFeature& feature);
  ~ClkFeatureFormatter();
  ClkFeatureFormatter(ClkFeatureFormatter&&) noexcept;
  ClkFeatureFormatter& operator=(ClkFeatureFormatter&&) noexcept;

  // Replaces `out` with the text to tokenise. On failure returns false, leaves
  // `out` unspecified and sets `reason`.
  bool format(std::string_view raw, std::string& out, std::string& reason) const;

 private:
  bool formatString(std::string_view raw, std::string& out, std::string& reason) const;

  FeatureFormat format_;
  std::optional<MissingValue> missing_;
  std::unique_ptr<Poco::RegularExpression> pattern_;
  std::unique_ptr<PythonStrptime> date_;
};

}  // namespace nser::linkage
