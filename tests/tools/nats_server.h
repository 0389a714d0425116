// A real nats-server with JetStream for the sync tests, on a random
// loopback port, its storage in a directory of the test's; stopped (and
// killed if need be) when the object goes. Nothing leaves the machine.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>

#include "tests/tools/run_tb.h"

namespace tb::testing {

class NatsServer {
 public:
  // Starts the server with its store under `dir`; `port` 0 = a random one.
  // Fails the test (returns false) when it does not come up in 20 s.
  bool Start(const std::string& dir, int port = 0) {
    dir_ = dir;
    RunOptions o;
    o.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
    const std::string p = port == 0 ? "-1" : std::to_string(port);
    // The server logs to stderr: joined to stdout to read its port.
    child_ = std::make_unique<Child>();  // a fresh one: no output of an earlier run
    if (!child_->Start({"/bin/sh", "-c", "exec nats-server -js -a 127.0.0.1 -p " + p + " -sd '" + dir + "' 2>&1"}, o)) {
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
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

 private:
  std::unique_ptr<Child> child_;
  std::string dir_;
  int port_ = 0;
};

}  // namespace tb::testing
