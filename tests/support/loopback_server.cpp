#include "support/loopback_server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace keras::testing {

LoopbackServer::LoopbackServer() : server_(std::make_unique<httplib::Server>()) {
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    Route route;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req.path);
      auto it = routes_.find(req.path);
      if (it == routes_.end()) {
        res.status = 404;
        res.set_content("not found", "text/plain");
        return;
      }
      route = it->second;
    }
    auto body = std::make_shared<std::string>(std::move(route.content));
    const Behavior behavior = route.behavior;
    res.set_content_provider(
        body->size(), "application/octet-stream",
        [this, body, behavior](size_t offset, size_t length, httplib::DataSink& sink) {
          const size_t half = body->size() / 2;
          if (behavior != Behavior::ok && offset >= half) {
            if (behavior == Behavior::truncate) return false;  // closes the connection early
            std::unique_lock lock(mu_);
            ++stalled_;
            cv_.notify_all();
            cv_.wait(lock, [this] { return released_; });
            return false;
          }
          size_t n = std::min<size_t>(length, 64 << 10);
          if (behavior != Behavior::ok) n = std::min(n, half - offset);
          return sink.write(body->data() + offset, n);
        });
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("LoopbackServer: cannot bind 127.0.0.1");
  auto ended = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, ended] {
    server_->listen_after_bind();
    *ended = true;
  });
  // stop() does nothing until the server runs, so the destructor could otherwise hang.
  while (!server_->is_running() && !*ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

LoopbackServer::~LoopbackServer() {
  release_stalls();
  server_->stop();
  thread_.join();
}

void LoopbackServer::serve(const std::string& path, std::string content, Behavior behavior) {
  std::lock_guard lock(mu_);
  routes_[path] = {std::move(content), behavior};
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> LoopbackServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

bool LoopbackServer::wait_for_stall(double seconds) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::duration<double>(seconds),
                      [this] { return stalled_ > 0; });
}

void LoopbackServer::release_stalls() {
  std::lock_guard lock(mu_);
  released_ = true;
  cv_.notify_all();
}

}  // namespace keras::testing
