// The HTTP server behind `kerascpp serve`: the draw-a-digit page and a small JSON API over a
// Predictor. Every limit is an option; every bad request gets a 4xx JSON error (see
// docs/serve.md for the API, the limits and the status codes).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "predictor.hpp"

namespace keras::app {

struct ServerOptions {
  std::string host = "127.0.0.1";  ///< loopback only unless asked
  int port = 8080;                 ///< 0: any free port (see Server::bind)
  int threads = 8;                 ///< workers = connections served at once = model replicas
  int queue = 64;                  ///< accepted connections waiting for a worker
  size_t max_body_bytes = 4 << 20;
  int max_batch = 256;        ///< instances per request
  int max_image_side = 2048;  ///< PNG bodies: width and height limit
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  int keep_alive_timeout_s = 2;
  /// Requests per connection before it is closed: a worker serves one connection at a time,
  /// so this lets connections beyond `threads` take turns.
  int keep_alive_max_requests = 100;
  bool log_requests = false;  ///< one line per request on stderr
};

class Server {
 public:
  Server(std::shared_ptr<Predictor> predictor, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listening socket and returns the port (the chosen one when options.port is 0).
  /// Throws keras::IOError if the address cannot be bound.
  int bind();
  /// Serves until stop() is called (from another thread or a signal watcher).
  void run();
  void stop();
  /// Whether run() is accepting connections.
  bool running() const;
  const ServerOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keras::app
