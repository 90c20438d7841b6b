#include "tests/support/process_harness.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

std::string httpGet(int port, const std::string& path, int* status) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  *status = response.getStatus();
  std::ostringstream text;
  text << body.rdbuf();
  return text.str();
}

TEST(ProcessHarness, StartsAServerOnAFreePortWaitsForItAndStopsItCleanly) {
  TempDir logs;
  const int port = freeLoopbackPort();
  ManagedProcess server("fixture", NSER_FIXTURE_SERVER, {std::to_string(port)}, logs.path());
  ASSERT_TRUE(server.waitForPort(port, std::chrono::seconds(10))) << server.lastError();
  int status = 0;
  EXPECT_EQ(httpGet(port, "/health", &status), "ok");
  EXPECT_EQ(status, 200);
  httpGet(port, "/nowhere", &status);
  EXPECT_EQ(status, 404);
  ProcessResult result = server.stop();
  EXPECT_EQ(result.exitCode, 0) << "SIGTERM should end the server cleanly";
  EXPECT_NE(result.out.find("request GET /health"), std::string::npos) << "stdout was captured";
  EXPECT_NE(result.out.find("stopped"), std::string::npos);
  EXPECT_FALSE(server.running());
}

TEST(ProcessHarness, Kill9EndsTheProcessBySignal) {
  TempDir logs;
  const int port = freeLoopbackPort();
  ManagedProcess server("fixture", NSER_FIXTURE_SERVER, {std::to_string(port)}, logs.path());
  ASSERT_TRUE(server.waitForOutput("listening on", std::chrono::seconds(10))) << server.lastError();
  ProcessResult result = server.kill9();
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(result.out.find("stopped"), std::string::npos) << "no clean shutdown after kill -9";
}

TEST(ProcessHarness, ReportsAProcessThatExitsBeforeItIsReady) {
  TempDir logs;
  ManagedProcess server("fixture", NSER_FIXTURE_SERVER, {}, logs.path());  // no port: usage error
  EXPECT_FALSE(server.waitForPort(freeLoopbackPort(), std::chrono::seconds(10)));
  EXPECT_NE(server.lastError().find("exited before it was ready"), std::string::npos);
  EXPECT_NE(server.stop().exitCode, 0);
}

TEST(ProcessHarness, RunProcessCapturesOutputAndExitCode) {
  ProcessResult result = runProcess("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exitCode, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST(ProcessHarness, FreeLoopbackPortsAreUsablePorts) {
  int port = freeLoopbackPort();
  EXPECT_GT(port, 1023);
  EXPECT_LT(port, 65536);
}

}  // namespace
}  // namespace nser::testing
