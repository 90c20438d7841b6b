// Shared by the synth tests: where the admin codes file is, loaded once.
#pragma once

#include <string>

#include "synth/admin_geography.h"

namespace nser::synth::testing {

inline std::string adminCodesPath() { return std::string(NSER_SHARED_DIR) + "/data/pk_admin_codes.csv"; }

inline const AdminGeography& geography() {
  static const AdminGeography geo = AdminGeography::load(adminCodesPath());
  return geo;
}

}  // namespace nser::synth::testing
