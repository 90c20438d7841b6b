// An error a server turns into a 4xx/5xx JSON answer:
//   {"error": {"status": 400, "code": "malformed_body", "message": "..."}}
// `code` is a stable snake_case token clients may switch on; `message` says
// what was wrong and where (record, field, line) for a human, and never
// carries an identifier, an attribute value or a secret.
#pragma once

#include <stdexcept>
#include <string>

namespace nser::service {

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  // Seconds for a Retry-After header (429/503); 0 for none.
  int retryAfterSeconds() const { return retryAfter_; }
  HttpError& retryAfter(int seconds) {
    retryAfter_ = seconds;
    return *this;
  }

 private:
  int status_;
  std::string code_;
  int retryAfter_ = 0;
};

}  // namespace nser::service
