#include "pki/party_id.h"

#include <gtest/gtest.h>

#include <string>

#include "pki/pki_error.h"

namespace nser::pki {
namespace {

TEST(PartyId, AcceptsLowercaseDigitsDashAndDot) {
  EXPECT_TRUE(isValidPartyId("hub"));
  EXPECT_TRUE(isValidPartyId("punjab-connector"));
  EXPECT_TRUE(isValidPartyId("bisp.nser-1"));
  EXPECT_TRUE(isValidPartyId("7"));
  EXPECT_TRUE(isValidPartyId(std::string(64, 'a')));
  EXPECT_NO_THROW(validatePartyId("kp-programme"));
}

TEST(PartyId, RejectsWithAReason) {
  EXPECT_EQ(partyIdProblem(""), "must not be empty");
  EXPECT_NE(partyIdProblem(std::string(65, 'a')).find("at most 64"), std::string::npos);
  EXPECT_NE(partyIdProblem("Hub").find("character 1"), std::string::npos);
  EXPECT_NE(partyIdProblem("hub_1").find("character 4"), std::string::npos);
  EXPECT_FALSE(isValidPartyId("hub/../ca"));
  EXPECT_FALSE(isValidPartyId("hub id"));
  EXPECT_FALSE(isValidPartyId("-hub"));
  EXPECT_FALSE(isValidPartyId(".hub"));
  EXPECT_FALSE(isValidPartyId("h\xc3\xbc" "b"));
}

TEST(PartyId, ValidateThrowsPkiErrorNamingTheRule) {
  try {
    validatePartyId("Bad Id");
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("party id: character 1 is not allowed"), std::string::npos);
  }
}

}  // namespace
}  // namespace nser::pki
