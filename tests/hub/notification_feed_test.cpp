#include "hub/notification_feed.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

using namespace nser::hub;

namespace {

Poco::JSON::Object message(const std::string& consentId, const std::string& status) {
  Poco::JSON::Object m;
  m.set("type", "consent_status");
  m.set("consent_id", consentId);
  m.set("status", status);
  return m;
}

Poco::JSON::Object::Ptr parsed(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::uint64_t> numbers(const std::vector<std::string>& notes) {
  std::vector<std::uint64_t> out;
  for (const auto& text : notes) out.push_back(parsed(text)->getValue<std::uint64_t>("number"));
  return out;
}

std::vector<std::string> consentIds(const std::vector<std::string>& notes) {
  std::vector<std::string> out;
  for (const auto& text : notes) out.push_back(parsed(text)->getValue<std::string>("consent_id"));
  return out;
}

}  // namespace

TEST(NotificationFeed, EachPartyReadsItsOwnNotificationsInOrder) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  NotificationFeed feed(store);
  feed.notify({"bisp-kafaalat", "punjab-health"}, message("c-1", "PAUSED"));
  feed.notify({"punjab-health"}, message("c-2", "REVOKED"));
  feed.notify({"bisp-kafaalat"}, message("c-3", "REVOKED"));
  feed.notify({}, message("c-4", "REVOKED"));  // nobody to tell: nothing stored

  const auto programme = feed.read("bisp-kafaalat", 0, 100);
  EXPECT_EQ(consentIds(programme), (std::vector<std::string>{"c-1", "c-3"}));
  const auto custodian = feed.read("punjab-health", 0, 100);
  EXPECT_EQ(consentIds(custodian), (std::vector<std::string>{"c-1", "c-2"}));
  // Numbers rise within each party's feed and are never shared between parties.
  const auto p = numbers(programme);
  const auto c = numbers(custodian);
  EXPECT_LT(p[0], p[1]);
  EXPECT_LT(c[0], c[1]);
  EXPECT_NE(p[0], c[0]);
  EXPECT_EQ(parsed(programme[0])->getValue<std::string>("status"), "PAUSED");
  EXPECT_FALSE(parsed(programme[0])->getValue<std::string>("at").empty());
  EXPECT_TRUE(feed.read("sindh-health", 0, 100).empty());
  // A party id that is a prefix of another's sees nothing of the other's.
  EXPECT_TRUE(feed.read("bisp", 0, 100).empty());
}

TEST(NotificationFeed, ResumesAfterANumberAndHonoursTheLimit) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  NotificationFeed feed(store);
  for (int i = 0; i < 5; ++i) feed.notify({"bisp-kafaalat"}, message("c-" + std::to_string(i), "PAUSED"));
  const auto all = feed.read("bisp-kafaalat", 0, 100);
  ASSERT_EQ(all.size(), 5u);
  const auto n = numbers(all);

  const auto firstTwo = feed.read("bisp-kafaalat", 0, 2);
  EXPECT_EQ(consentIds(firstTwo), (std::vector<std::string>{"c-0", "c-1"}));
  const auto next = feed.read("bisp-kafaalat", numbers(firstTwo).back(), 2);
  EXPECT_EQ(consentIds(next), (std::vector<std::string>{"c-2", "c-3"}));
  EXPECT_EQ(consentIds(feed.read("bisp-kafaalat", n[3], 100)), (std::vector<std::string>{"c-4"}));
  EXPECT_TRUE(feed.read("bisp-kafaalat", n[4], 100).empty());
  EXPECT_TRUE(feed.read("bisp-kafaalat", 0, 0).empty());  // "at most 0"
}

TEST(NotificationFeed, NotificationsAndNumberingSurviveReopeningTheStore) {
  nser::testing::TempDir dir;
  std::uint64_t lastBefore = 0;
  {
    HubStore store((dir / "db").string());
    NotificationFeed feed(store);
    feed.notify({"bisp-kafaalat", "punjab-health"}, message("c-1", "PAUSED"));
    feed.notify({"bisp-kafaalat"}, message("c-2", "REVOKED"));
    lastBefore = numbers(feed.read("bisp-kafaalat", 0, 100)).back();
  }
  HubStore store((dir / "db").string());
  NotificationFeed feed(store);
  EXPECT_EQ(consentIds(feed.read("bisp-kafaalat", 0, 100)), (std::vector<std::string>{"c-1", "c-2"}));
  EXPECT_EQ(consentIds(feed.read("punjab-health", 0, 100)), (std::vector<std::string>{"c-1"}));
  // New notifications continue the numbering: a party resuming with its last
  // number sees exactly the new ones, nothing overwritten.
  feed.notify({"bisp-kafaalat"}, message("c-3", "REVOKED"));
  const auto after = feed.read("bisp-kafaalat", lastBefore, 100);
  EXPECT_EQ(consentIds(after), (std::vector<std::string>{"c-3"}));
  EXPECT_GT(numbers(after)[0], lastBefore);
  EXPECT_EQ(feed.read("bisp-kafaalat", 0, 100).size(), 3u);
}
