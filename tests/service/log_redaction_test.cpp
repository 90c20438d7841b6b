#include "service/log_redaction.h"

#include <gtest/gtest.h>

namespace nser::service {
namespace {

TEST(LogRedaction, MasksCnicsInEveryWrittenForm) {
  EXPECT_EQ(redactIdentifiers("cnic 35202-1234567-1 rejected"), "cnic [redacted] rejected");
  EXPECT_EQ(redactIdentifiers("cnic 3520212345671 rejected"), "cnic [redacted] rejected");
  EXPECT_EQ(redactIdentifiers("x 35202 1234567 1"), "x [redacted]");
}

TEST(LogRedaction, MasksPhoneNumbers) {
  EXPECT_EQ(redactIdentifiers("phone 0300-1234567"), "phone [redacted]");
  EXPECT_EQ(redactIdentifiers("phone 03001234567."), "phone [redacted].");
}

TEST(LogRedaction, KeepsCountsDatesAndShortNumbers) {
  EXPECT_EQ(redactIdentifiers("applied 1000000 records in 12 batches"), "applied 1000000 records in 12 batches");
  EXPECT_EQ(redactIdentifiers("2026-11-26 10:00"), "2026-11-26 10:00");
  EXPECT_EQ(redactIdentifiers("port 8443 - 2 tries"), "port 8443 - 2 tries");
  EXPECT_EQ(redactIdentifiers(""), "");
  EXPECT_EQ(redactIdentifiers("trailing 12-"), "trailing 12-");
}

}  // namespace
}  // namespace nser::service
