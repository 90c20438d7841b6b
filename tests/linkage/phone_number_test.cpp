#include "linkage/phone_number.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(PhoneNumber, InternationalAndNationalFormsMeet) {
  for (const char* raw : {"0300-1234567", "+92 300 1234567", "0092-300-1234567", "923001234567", "3001234567",
                          "(0300) 123.4567"}) {
    PhoneNumber phone = canonicalisePhone(raw);
    EXPECT_EQ(phone.digits, "03001234567") << raw;
    EXPECT_TRUE(phone.usable()) << raw;
  }
}

TEST(PhoneNumber, LandlinesKeepTheirLength) {
  EXPECT_EQ(canonicalisePhone("051-2345678").digits, "0512345678");
  EXPECT_TRUE(canonicalisePhone("051-2345678").usable());
}

TEST(PhoneNumber, ProblemsAreFlagged) {
  EXPECT_EQ(canonicalisePhone("").flags, kPhoneMissing);
  EXPECT_EQ(canonicalisePhone(" - ").flags, kPhoneMissing);
  EXPECT_TRUE(canonicalisePhone("12345").flags & kPhoneBadLength);
  EXPECT_TRUE(canonicalisePhone("0300-123456x").flags & kPhoneNonDigit);
  EXPECT_FALSE(canonicalisePhone("0300-123456x").usable());
}

}  // namespace
}  // namespace nser::linkage
