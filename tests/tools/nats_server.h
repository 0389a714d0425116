// A real nats-server with JetStream for the sync tests, on a random
// loopback port, its storage in a directory of the test's; stopped (and
// killed if need be) when the object goes. Nothing leaves the machine.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/tools/run_tb.h"

namespace tb::testing {

// A free loopback TCP port (bound, read, released).
inline int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// The arguments of member `name` of a JetStream cluster whose members
// listen for routes on `route_ports` (this member on route_ports[index]).
inline std::string ClusterArgs(const std::string& name, size_t index, const std::vector<int>& route_ports) {
  std::string routes;
  for (int p : route_ports)
    routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(p);
  return "-n " + name + " --cluster_name tb --cluster nats://127.0.0.1:" + std::to_string(route_ports[index]) +
         " --routes " + routes;
}

class NatsServer {
 public:
  // Starts the server with its store under `dir`; `port` 0 = a random one.
  // `cluster`: extra arguments that make it a cluster member (see
  // ClusterArgs). Fails the test (returns false) when it does not come up
  // in 20 s.
  bool Start(const std::string& dir, int port = 0, const std::string& cluster = "") {
    dir_ = dir;
    cluster_ = cluster;
    RunOptions o;
    o.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
    const std::string p = port == 0 ? "-1" : std::to_string(port);
    // The server logs to stderr: joined to stdout to read its port.
    child_ = std::make_unique<Child>();  // a fresh one: no output of an earlier run
    if (!child_->Start(
            {"/bin/sh", "-c", "exec nats-server -js -a 127.0.0.1 -p " + p + " -sd '" + dir + "' " + cluster + " 2>&1"},
            o)) {
      ADD_FAILURE() << "cannot start nats-server";
      return false;
    }
    auto out = child_->WaitForOutput("Server is ready", std::chrono::seconds(20));
    std::smatch m;
    if (!out || !std::regex_search(*out, m, std::regex("client connections on 127\\.0\\.0\\.1:([0-9]+)"))) {
      ADD_FAILURE() << "nats-server did not come up: " << out.value_or("(no output)");
      return false;
    }
    port_ = std::stoi(m[1]);
    return true;
  }
  // Stops it (SIGTERM, then SIGKILL after 10 s).
  void Stop() {
    if (child_ == nullptr) return;
    if (child_->pid() > 0) ::kill(child_->pid(), SIGTERM);
    child_->Finish(std::chrono::seconds(10));
    child_.reset();
  }
  // Kills it (SIGKILL: no shutdown, as a crash or a lost machine).
  void Kill() {
    if (child_ == nullptr) return;
    if (child_->pid() > 0) ::kill(child_->pid(), SIGKILL);
    child_->Finish(std::chrono::seconds(10));
    child_.reset();
  }
  // Starts it again as it was (same port, store and cluster role).
  bool Restart() { return Start(dir_, port_, cluster_); }
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

 private:
  std::unique_ptr<Child> child_;
  std::string dir_;
  std::string cluster_;
  int port_ = 0;
};

}  // namespace tb::testing
