// A real HTTP server on 127.0.0.1 (cpp-httplib, in a thread of the test process) that serves
// files well or badly, and records every request: how the download tests reach "the network"
// without leaving the machine.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace keras::testing {

class LoopbackServer {
 public:
  enum class Behavior {
    ok,        ///< 200 with the whole content
    truncate,  ///< announces the whole length, sends half, closes the connection
    stall,     ///< announces the whole length, sends half, then sends nothing until released
  };

  /// Listens on 127.0.0.1, on a free port. Paths not served answer 404.
  LoopbackServer();
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  void serve(const std::string& path, std::string content, Behavior behavior = Behavior::ok);
  /// "http://127.0.0.1:<port>" + path.
  std::string url(const std::string& path = "") const;
  /// Paths requested so far, in order.
  std::vector<std::string> requests() const;
  /// Blocks until some stalled response has sent its first half (false after `seconds`).
  bool wait_for_stall(double seconds);
  /// Lets stalled responses end (they close the connection).
  void release_stalls();

 private:
  struct Route {
    std::string content;
    Behavior behavior;
  };
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Route> routes_;
  std::vector<std::string> requests_;
  int stalled_ = 0;
  bool released_ = false;
};

}  // namespace keras::testing
