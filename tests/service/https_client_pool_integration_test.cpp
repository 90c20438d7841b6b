// HttpsClientPool against a real mutual-TLS server on loopback: idle
// connections are lent in turn, so all of them stay in use, and one idle for
// longer than the limit is closed instead of lent.
#include "service/https_client_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "service/tls_context.h"
#include "tests/support/loopback_tls_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::service {
namespace {

class HttpsClientPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki(dir_.path() / "pki", {"nser"});
    // Answers every request with the caller's port: one port per connection.
    server_ = std::make_unique<testing::LoopbackTlsServer>(
        pki_, [](Poco::Net::HTTPServerRequest& request) { return std::to_string(request.clientAddress().port()); });
  }

  std::unique_ptr<HttpsClientPool> pool(std::chrono::milliseconds idleLimit) {
    return std::make_unique<HttpsClientPool>("127.0.0.1", server_->port(),
                                             makeClientTlsContext(server_->clientFiles("nser")),
                                             std::chrono::seconds(10), 8, idleLimit);
  }
  // The port of the connection that carried one GET through the pool.
  static std::string exchange(HttpsClientPool& pool) {
    return pool.with([](HttpsClient& client) { return client.get("/").body; });
  }
  // Opens `count` connections at once (nested borrows), so the pool then
  // holds that many idle ones; returns their ports.
  static std::set<std::string> openConcurrently(HttpsClientPool& pool, int count) {
    std::set<std::string> ports;
    std::function<void(int)> borrow = [&](int left) {
      if (left == 0) return;
      pool.with([&](HttpsClient& client) {
        ports.insert(client.get("/").body);
        borrow(left - 1);
        return 0;
      });
    };
    borrow(count);
    return ports;
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  std::unique_ptr<testing::LoopbackTlsServer> server_;
};

TEST_F(HttpsClientPoolTest, LendsIdleConnectionsInTurnSoAllStayInUse) {
  auto clients = pool(std::chrono::seconds(60));
  const auto opened = openConcurrently(*clients, 3);
  ASSERT_EQ(opened.size(), 3u);
  // Nine sequential exchanges: each of the three connections carries three,
  // in a fixed rotation, and no connection is opened anew.
  std::map<std::string, int> uses;
  std::vector<std::string> order;
  for (int i = 0; i < 9; ++i) {
    order.push_back(exchange(*clients));
    ++uses[order.back()];
  }
  for (const auto& port : opened) EXPECT_EQ(uses[port], 3) << "connection from port " << port;
  EXPECT_EQ(uses.size(), 3u) << "an exchange used a new connection";
  for (std::size_t i = 3; i < order.size(); ++i) EXPECT_EQ(order[i], order[i - 3]) << "exchange " << i;
}

TEST_F(HttpsClientPoolTest, ClosesConnectionsIdleLongerThanTheLimitInsteadOfLendingThem) {
  auto clients = pool(std::chrono::milliseconds(200));
  const auto opened = openConcurrently(*clients, 2);
  ASSERT_EQ(opened.size(), 2u);
  // Within the limit an idle connection is reused.
  EXPECT_TRUE(opened.count(exchange(*clients)));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  // Past it, both idle connections are closed: the exchange opens a new one,
  // which then stays the only one lent.
  const std::string fresh = exchange(*clients);
  EXPECT_FALSE(opened.count(fresh)) << "a connection idle past the limit was lent";
  EXPECT_EQ(exchange(*clients), fresh);
  EXPECT_EQ(exchange(*clients), fresh);
}

}  // namespace
}  // namespace nser::service
