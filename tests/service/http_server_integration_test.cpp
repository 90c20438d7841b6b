// service::HttpServer on a real loopback socket: keep-alive connections carry
// many requests, the keep-alive limits and timeouts of HTTPServerParams hold,
// missing handlers and malformed requests get Poco's answers, and stopAll(true)
// ends idle keep-alive connections at once. (Mutual TLS through the same
// server: peer_certificate_integration_test.cpp.)
#include "service/http_server.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

namespace nser::service {
namespace {

// "/port" answers the client's port (the same on every request of one
// connection); any other path has no handler.
class PortHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const std::string body = std::to_string(request.clientAddress().port());
    response.setContentType("text/plain");
    response.sendBuffer(body.data(), body.size());
  }
};

class PortFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override {
    return request.getURI() == "/port" ? new PortHandler : nullptr;
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(int maxKeepAliveRequests, Poco::Timespan keepAliveTimeout) {
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(maxKeepAliveRequests);
    params->setKeepAliveTimeout(keepAliveTimeout);
    params->setTimeout(Poco::Timespan(30, 0));
    server_ = std::make_unique<HttpServer>(new PortFactory, threads_,
                                           Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)), params);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stopAll(true);
    threads_.joinAll();
  }

  struct Answer {
    int status = 0;
    bool keepAlive = false;
    std::string date;
    std::string body;
  };
  static Answer get(Poco::Net::HTTPClientSession& session, const std::string& path) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.setKeepAlive(true);
    request.setKeepAlive(true);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    Answer answer;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), answer.body);
    answer.status = static_cast<int>(response.getStatus());
    answer.keepAlive = response.getKeepAlive();
    answer.date = response.get("Date", "");
    return answer;
  }
  // A raw connection to the server, for what HTTPClientSession hides.
  Poco::Net::StreamSocket connect() {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    return socket;
  }
  static std::string readUntilClosed(Poco::Net::StreamSocket& socket) {
    std::string all;
    char buffer[4096];
    while (const int got = socket.receiveBytes(buffer, sizeof buffer)) {
      all.append(buffer, static_cast<std::size_t>(got));
    }
    return all;
  }

  Poco::ThreadPool threads_{1, 8};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, CarriesManyRequestsOnOneKeepAliveConnection) {
  start(0, Poco::Timespan(10, 0));
  Poco::Net::HTTPClientSession session("127.0.0.1", server_->port());
  const Answer first = get(session, "/port");
  ASSERT_EQ(first.status, 200);
  EXPECT_TRUE(first.keepAlive);
  EXPECT_FALSE(first.date.empty());
  for (int i = 0; i < 20; ++i) {
    const Answer next = get(session, "/port");
    EXPECT_EQ(next.status, 200);
    EXPECT_EQ(next.body, first.body) << "request " << i << " came on another connection";
  }
}

TEST_F(HttpServerTest, ClosesTheConnectionAfterTheMaximumNumberOfRequests) {
  start(2, Poco::Timespan(10, 0));
  Poco::Net::HTTPClientSession session("127.0.0.1", server_->port());
  const Answer first = get(session, "/port");
  const Answer second = get(session, "/port");
  EXPECT_TRUE(first.keepAlive);
  EXPECT_FALSE(second.keepAlive);
  EXPECT_EQ(first.body, second.body);
  const Answer third = get(session, "/port");  // on a new connection
  EXPECT_EQ(third.status, 200);
  EXPECT_NE(third.body, first.body);
}

TEST_F(HttpServerTest, AnswersNotImplementedWhenNoHandlerTakesTheRequest) {
  start(0, Poco::Timespan(10, 0));
  Poco::Net::HTTPClientSession session("127.0.0.1", server_->port());
  EXPECT_EQ(get(session, "/elsewhere").status, 501);
}

TEST_F(HttpServerTest, AnswersBadRequestToAMalformedRequestAndCloses) {
  start(0, Poco::Timespan(10, 0));
  auto socket = connect();
  // Poco's parser refuses a method of more than 32 characters.
  const std::string garbage = std::string(40, 'G') + " /port HTTP/1.1\r\nHost: x\r\n\r\n";
  socket.sendBytes(garbage.data(), static_cast<int>(garbage.size()));
  const std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

TEST_F(HttpServerTest, ClosesAnIdleConnectionAfterTheKeepAliveTimeout) {
  start(0, Poco::Timespan(0, 200'000));
  auto socket = connect();
  const std::string request = "GET /port HTTP/1.1\r\nHost: x\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  // The answer, then the server's close once the connection idled 0.2 s
  // (a server that kept it open would make this read time out after 10 s).
  const std::string answer = readUntilClosed(socket);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(HttpServerTest, StopAllEndsIdleKeepAliveConnectionsAtOnce) {
  start(0, Poco::Timespan(600, 0));
  Poco::Net::HTTPClientSession session("127.0.0.1", server_->port());
  ASSERT_EQ(get(session, "/port").status, 200);  // its connection now idles for up to 600 s
  server_->stopAll(true);
  auto joined = std::async(std::launch::async, [this] { threads_.joinAll(); });
  EXPECT_EQ(joined.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "an idle keep-alive connection held its thread after stopAll(true)";
}

TEST_F(HttpServerTest, DispatcherThreadsWaitForWorkAtMostOneSecond) {
  // Poco's dispatcher checks its stop flag before it waits for work, so a
  // thread that goes back to waiting as the server stops misses the stop's
  // wake-up and waits the thread idle time, and joining the threads waits
  // for it (Poco's default: 10 s).
  start(0, Poco::Timespan(5, 0));
  EXPECT_EQ(server_->params().getThreadIdleTime(), Poco::Timespan(1, 0));
}

}  // namespace
}  // namespace nser::service
