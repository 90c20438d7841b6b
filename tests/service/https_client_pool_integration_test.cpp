// HttpsClientPool against a real mutual-TLS server on loopback: idle
// connections are lent in turn, so all of them stay in use, and one idle for
// longer than the limit is closed instead of lent.
#include "service/https_client_pool.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "service/http_server.h"
#include "service/tls_context.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::service {
namespace {

// Answers every request with the caller's port: one port per connection.
class EchoPortHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const std::string body = std::to_string(request.clientAddress().port());
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
  }
};

class EchoPortFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new EchoPortHandler;
  }
};

class HttpsClientPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki(dir_.path() / "pki", {"nser"});
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16,
                                         makeServerTlsContext(files(pki_.server)));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    server_ = std::make_unique<HttpServer>(new EchoPortFactory, threads_, socket, params);
    server_->start();
  }
  void TearDown() override {
    server_->stopAll(true);
    threads_.joinAll();
  }

  TlsFiles files(const pki::IssuedCertificate& issued) const {
    return {issued.certificatePath.string(), issued.keyPath.string(), pki_.caCertificate.string(), ""};
  }
  std::unique_ptr<HttpsClientPool> pool(std::chrono::milliseconds idleLimit) {
    return std::make_unique<HttpsClientPool>("127.0.0.1", server_->port(), makeClientTlsContext(files(pki_.client("nser"))),
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
  Poco::ThreadPool threads_{1, 8};
  std::unique_ptr<HttpServer> server_;
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
