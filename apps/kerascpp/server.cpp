#include "server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <string_view>
#include <thread>

#include "kerascpp_page.hpp"  // generated from web/index.html: kIndexHtml
#include "predict_request.hpp"

namespace keras::app {

namespace {

struct Route {
  std::string_view path, allow;
};
constexpr Route kRoutes[] = {{"/", "GET, HEAD"},
                             {"/healthz", "GET, HEAD"},
                             {"/v1/model", "GET, HEAD"},
                             {"/v1/predict", "POST"}};

// The worker threads of the server. Unlike httplib's own pool, the queue of accepted
// connections is bounded: when it is full, the accept loop waits (new clients then wait in
// the kernel's backlog) instead of piling up sockets and memory.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, int queue) : capacity_(static_cast<size_t>(std::max(1, queue))) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return jobs_.size() < capacity_ || shutdown_; });
    if (shutdown_) return;
    jobs_.push_back(std::move(fn));
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    ready_.notify_all();
    space_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shutting down and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_.notify_one();
      job();
    }
  }

  size_t capacity_;
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  bool shutdown_ = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string media_type(std::string_view header) {
  header = header.substr(0, header.find(';'));
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.back())))
    header.remove_suffix(1);
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.front())))
    header.remove_prefix(1);
  return lower(header);
}

const char* default_message(int status) {
  switch (status) {
    case 400:
      return "bad request: the request line or headers could not be parsed";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 411:
      return "a request body needs a Content-Length header";
    case 413:
      return "request body too large";
    case 414:
      return "request URI too long";
    case 415:
      return "unsupported media type";
    case 416:
      return "range not satisfiable";
    case 500:
      return "internal server error";
    case 503:
      return "service unavailable";
    default:
      return "request failed";
  }
}

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void send_error(httplib::Response& res, int status, std::string_view message) {
  send_json(res, status, error_json(status, message));
}

std::string api_list() {
  return "the API is GET /, GET /healthz, GET /v1/model and POST /v1/predict";
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<Predictor> predictor;
  ServerOptions options;
  httplib::Server http;
  std::string model_json;

  Impl(std::shared_ptr<Predictor> p, ServerOptions o)
      : predictor(std::move(p)), options(std::move(o)), model_json(predictor->info().dump()) {
    configure();
  }

  // Runs a handler; any error becomes a JSON response, so no request can take the server down.
  template <class F>
  httplib::Server::Handler guarded(F handler) {
    return [handler](const httplib::Request& req, httplib::Response& res) {
      try {
        handler(req, res);
      } catch (const HttpError& e) {
        send_error(res, e.status(), e.what());
      } catch (const std::bad_alloc&) {
        send_error(res, 503, "out of memory; send smaller batches");
      } catch (const std::exception& e) {
        send_error(res, 500, std::string("internal error: ") + e.what());
      }
    };
  }

  void configure() {
    const auto& o = options;
    http.new_task_queue = [threads = o.threads, queue = o.queue] {
      return new BoundedPool(threads, queue);
    };
    http.set_payload_max_length(o.max_body_bytes);
    http.set_read_timeout(o.read_timeout_ms / 1000, (o.read_timeout_ms % 1000) * 1000);
    http.set_write_timeout(o.write_timeout_ms / 1000, (o.write_timeout_ms % 1000) * 1000);
    http.set_keep_alive_timeout(o.keep_alive_timeout_s);
    http.set_keep_alive_max_count(static_cast<size_t>(o.keep_alive_max_requests));
    http.set_tcp_nodelay(true);  // small responses: no Nagle delay
    http.set_default_headers(
        {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
    if (o.log_requests)
      http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::cerr << req.remote_addr << " " << req.method << " " << req.path << " " << res.status
                  << " " << res.body.size() << "\n";
      });

    // Bodies httplib would read without a size limit are refused before they are read.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return refuse_unbounded_body(req, res) ? httplib::Server::HandlerResponse::Handled
                                             : httplib::Server::HandlerResponse::Unhandled;
    });

    http.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                     "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'");
      res.set_content(std::string(kIndexHtml), "text/html; charset=utf-8");
    });
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, R"({"status":"ok"})");
    });
    http.Get("/v1/model", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, model_json);
    });
    http.Post("/v1/predict", guarded([this](const httplib::Request& req, httplib::Response& res) {
                predict(req, res);
              }));

    // Everything else: 405 on a known path, 404 elsewhere (after httplib read the body).
    auto other = guarded([](const httplib::Request& req, httplib::Response& res) {
      for (const auto& r : kRoutes)
        if (req.path == r.path) {
          res.set_header("Allow", std::string(r.allow));
          throw HttpError(405, "method " + req.method + " is not allowed on " + req.path +
                                   "; use " + std::string(r.allow));
        }
      throw HttpError(404, "no such endpoint: " + req.path + "; " + api_list());
    });
    http.Get(".*", other);
    http.Post(".*", other);
    http.Put(".*", other);
    http.Patch(".*", other);
    http.Delete(".*", other);
    http.Options(".*", other);

    // Errors httplib produces itself (unparsable request, body over the limit, unknown method)
    // get a JSON body too.
    http.set_error_handler(httplib::Server::HandlerWithResponse(
        [limit = o.max_body_bytes](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Handled;
          if (res.status == 413)
            send_error(res, 413,
                       "request body larger than " + std::to_string(limit) +
                           " bytes (the server's --max-body)");
          else
            send_error(res, res.status, default_message(res.status));
          return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { send_error(res, 500, "internal error"); });
  }

  bool refuse_unbounded_body(const httplib::Request& req, httplib::Response& res) const {
    auto refuse = [&](int status, const std::string& message) {
      res.set_header("Connection", "close");
      send_error(res, status, message);
      return true;
    };
    if (req.has_header("Transfer-Encoding"))
      return refuse(411, "Transfer-Encoding '" + req.get_header_value("Transfer-Encoding") +
                             "' is not accepted; send the body with a Content-Length header");
    if (req.has_header("Content-Encoding") &&
        lower(req.get_header_value("Content-Encoding")) != "identity")
      return refuse(415, "compressed request bodies (Content-Encoding '" +
                             req.get_header_value("Content-Encoding") + "') are not accepted");
    const bool has_body_method = req.method == "POST" || req.method == "PUT" ||
                                 req.method == "PATCH" || req.method == "DELETE" ||
                                 req.method == "PRI";
    if (req.get_header_value_count("Content-Length") > 1)
      return refuse(400, "more than one Content-Length header");
    if (req.has_header("Content-Length")) {
      const std::string length = req.get_header_value("Content-Length");
      if (length.empty() || length.size() > 18 ||
          !std::all_of(length.begin(), length.end(),
                       [](unsigned char c) { return std::isdigit(c); }))
        return refuse(400, "Content-Length '" + length + "' is not a byte count");
    } else if (has_body_method) {
      return refuse(411, req.method + " needs a Content-Length header");
    }
    return false;
  }

  void predict(const httplib::Request& req, httplib::Response& res) {
    const std::string type = media_type(req.get_header_value("Content-Type"));
    Instances in;
    if (type == "application/json")
      in = parse_json_instances(req.body, predictor->input_shape(), options.max_batch);
    else if (type == "image/png")
      in = parse_png_instance(req.body, predictor->input_size(), options.max_image_side);
    else
      throw HttpError(415, (type.empty() ? std::string("the request has no Content-Type")
                                         : "Content-Type '" + req.get_header_value("Content-Type") +
                                               "' is not supported") +
                               "; send application/json ({\"instances\": [...]}) or image/png");
    const bool include_input = req.get_param_value("include_input") == "true";
    const auto probabilities = predictor->predict(in.values, in.count);
    send_json(
        res, 200,
        predictions_json(probabilities, predictor->num_classes(), include_input ? &in : nullptr));
  }
};

Server::Server(std::shared_ptr<Predictor> predictor, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(predictor), std::move(options))) {}

Server::~Server() = default;

int Server::bind() {
  const auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                               : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0)
    throw IOError("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                  ": the address is not available or the port is in use; choose another --host "
                  "or --port (--port 0 picks a free one)");
  return port;
}

void Server::run() {
  impl_->http.listen_after_bind();
}

void Server::stop() {
  impl_->http.stop();
}

bool Server::running() const {
  return impl_->http.is_running();
}

const ServerOptions& Server::options() const {
  return impl_->options;
}

}  // namespace keras::app
