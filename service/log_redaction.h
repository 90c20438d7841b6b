// Defence in depth for the rule "no secret or identifier is ever logged".
// Code must not pass identifiers to a logger in the first place; this filter,
// applied by both log formatters to every message and field, masks anything
// that looks like a CNIC/B-form number or a phone number should one slip
// through: a run of digits (dashes and spaces allowed between groups)
// holding 11 or more digits.
#pragma once

#include <string>
#include <string_view>

namespace nser::service {

inline constexpr std::string_view kRedactedMarker = "[redacted]";

std::string redactIdentifiers(std::string_view text);

}  // namespace nser::service
