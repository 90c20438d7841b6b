// RouteTable: the hub's HTTP routes and who may call them. A route names its
// method, its path pattern ("/admin/parties/{id}"), the roles allowed to call
// it and its handler. Anything not listed, or listed without the caller's
// role, is refused (default deny): 404 for an unknown path, 405 for a known
// path with another method, 403 for a role that is not allowed.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hub/party.h"

namespace nser::hub {

struct RequestContext {
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  const Party* caller;                         // null on routes open to any CA-issued certificate
  std::map<std::string, std::string> params;   // from {name} segments of the pattern
  std::map<std::string, std::string> query;    // URL query parameters
};

using RouteHandler = std::function<void(RequestContext&)>;

struct Route {
  std::string method;
  std::string pattern;
  // Roles allowed. Empty: any client whose certificate the CA issued, even an
  // unregistered one (only /health and /ready).
  std::set<Role> roles;
  RouteHandler handler;
};

class RouteTable {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    bool pathKnown = false;  // some route has this path (for 405 vs 404)
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace nser::hub
