// RegistryError: a refused change to one of the hub's registries (parties,
// agreements, consents), with a code the HTTP layer maps to a status:
//   "invalid" -> 400 invalid_request, "forbidden" -> 403, "not_found" -> 404,
//   "conflict" (already exists / bound / final) -> 409.
#pragma once

#include <stdexcept>
#include <string>

#include "service/http_error.h"

namespace nser::hub {

class RegistryError : public std::runtime_error {
 public:
  RegistryError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

inline service::HttpError registryHttpError(const RegistryError& e) {
  if (e.code() == "not_found") return service::HttpError(404, "not_found", e.what());
  if (e.code() == "conflict") return service::HttpError(409, "conflict", e.what());
  if (e.code() == "forbidden") return service::HttpError(403, "forbidden", e.what());
  return service::HttpError(400, "invalid_request", e.what());
}

}  // namespace nser::hub
