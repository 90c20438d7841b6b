// RFC 4180 CSV as nser synth writes and reads it: fields separated by ',',
// records ended by "\n"; a field containing ',', '"', CR or LF is quoted and
// its '"' doubled. The reader accepts what the writer produces (and unquoted
// files such as pk_admin_codes.csv); it handles one physical line at a time,
// which suffices because the generator never emits line breaks inside fields.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nser::synth {

// Appends `field`, quoted only when needed. No separator is added.
void appendCsvField(std::string& out, std::string_view field);

// Splits one line (without its line ending; a trailing '\r' is dropped) into
// fields. Returns false on an unterminated quote.
bool splitCsvLine(std::string_view line, std::vector<std::string>& fields);

}  // namespace nser::synth
