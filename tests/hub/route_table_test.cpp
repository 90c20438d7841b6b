#include "hub/route_table.h"

#include <gtest/gtest.h>

using namespace nser::hub;

TEST(RouteTable, MatchesPatternsAndCapturesSegments) {
  RouteTable table;
  table.add({"GET", "/admin/parties/{id}", {Role::Admin}, {}});
  table.add({"POST", "/admin/parties/{id}/disable", {Role::Admin}, {}});
  auto match = table.match("GET", "/admin/parties/punjab");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("id"), "punjab");
  match = table.match("POST", "/admin/parties/sindh/disable");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.params.at("id"), "sindh");
}

TEST(RouteTable, DistinguishesUnknownPathsFromWrongMethods) {
  RouteTable table;
  table.add({"GET", "/admin/parties/{id}", {Role::Admin}, {}});
  auto match = table.match("DELETE", "/admin/parties/x");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.pathKnown);
  match = table.match("GET", "/admin/parties");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_FALSE(match.pathKnown);
  EXPECT_EQ(table.match("GET", "/admin/parties/").route, nullptr);  // empty segment
  EXPECT_EQ(table.match("GET", "admin/parties/x").route, nullptr);
}
