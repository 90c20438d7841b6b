// A minimal HTTP server used only to test the process harness: serves
// GET /health with "ok" on 127.0.0.1:<port>, logs each request to stdout, and
// exits 0 on SIGTERM. Usage: http_fixture_server PORT
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Util/ServerApplication.h>

#include <iostream>
#include <string>

namespace {

class HealthHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::cout << "request " << request.getMethod() << " " << request.getURI() << std::endl;
    if (request.getURI() == "/health") {
      response.setContentType("text/plain");
      response.send() << "ok";
    } else {
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      response.send() << "not found";
    }
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new HealthHandler;
  }
};

class FixtureServer : public Poco::Util::ServerApplication {
 protected:
  int main(const std::vector<std::string>& args) override {
    if (args.size() != 1) {
      std::cerr << "usage: http_fixture_server PORT\n";
      return EXIT_USAGE;
    }
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::stoi(args[0]))));
    Poco::Net::HTTPServer server(new Factory, socket, new Poco::Net::HTTPServerParams);
    server.start();
    std::cout << "listening on " << args[0] << std::endl;
    waitForTerminationRequest();
    server.stop();
    std::cout << "stopped" << std::endl;
    return EXIT_OK;
  }
};

}  // namespace

POCO_SERVER_MAIN(FixtureServer)
