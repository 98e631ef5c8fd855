// The HTTP server of `kerascpp serve`, in process on a free loopback port: the API's answers,
// and a 4xx JSON error for every kind of bad request (printed, for docs/serve.md), with the
// server still answering afterwards; concurrent clients get the single-threaded results.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <keras/keras.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "architectures.hpp"
#include "digit_image.hpp"
#include "predict_request.hpp"
#include "server.hpp"
#include "support/digit_drawing.hpp"

using nlohmann::json;

namespace {

// "[a,b,...]" of the items.
std::string json_list(const std::vector<std::string>& items) {
  std::string s = "[";
  for (const auto& item : items) {
    if (s.size() > 1) s += ',';
    s += item;
  }
  return s + "]";
}

std::string flat_instance(float value = 0.0f) {
  std::vector<std::string> v;
  for (int i = 0; i < 784; ++i) v.push_back(std::to_string(value * float(i % 7) / 6.0f));
  return json_list(v);
}

std::string nested_instance(int rows = 28, int last_row = 28, bool channel = false) {
  std::vector<std::string> lines;
  for (int r = 0; r < rows; ++r) {
    std::vector<std::string> line;
    for (int c = 0; c < (r == rows - 1 ? last_row : 28); ++c) {
      const std::string v = std::to_string(float((r * 28 + c) % 7) / 6.0f);
      line.push_back(channel ? json_list({v}) : v);
    }
    lines.push_back(json_list(line));
  }
  return json_list(lines);
}

std::string png_body(const keras::app::GrayImage& img) {
  const auto bytes = keras::app::encode_png(img);
  return {bytes.begin(), bytes.end()};
}

// Sends raw bytes and returns everything the server answers before closing or going quiet.
std::string raw_request(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    // Read one response: the headers, then Content-Length bytes.
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      answer.append(buf, static_cast<size_t>(n));
      const size_t end = answer.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const size_t length_at = answer.find("Content-Length: ");
      const size_t length = length_at < end ? std::stoul(answer.substr(length_at + 16)) : 0;
      if (answer.size() >= end + 4 + length) break;
    }
  }
  ::close(fd);
  return answer;
}

struct Answer {
  int status = 0;
  std::string body;
};

Answer parse_raw(const std::string& raw) {
  Answer a;
  if (raw.size() > 12) a.status = std::atoi(raw.c_str() + 9);
  if (auto p = raw.find("\r\n\r\n"); p != std::string::npos) a.body = raw.substr(p + 4);
  return a;
}

}  // namespace

class AppServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keras::Sequential reference = keras::app::build_model("mlp");
    weights_ = reference.get_weights();
    auto make = [] {
      keras::Sequential m = keras::app::build_model("mlp");
      m.set_weights(weights_);
      return m;
    };
    predictor_ = std::make_shared<keras::app::Predictor>(make, 4);
    keras::app::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.max_batch = 8;
    o.max_body_bytes = 64 << 10;
    o.max_image_side = 512;
    o.read_timeout_ms = 1000;
    server_ = std::make_unique<keras::app::Server>(predictor_, o);
    port_ = server_->bind();
    thread_ = std::thread([] { server_->run(); });
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_.join();
    server_.reset();
    predictor_.reset();
  }
  static httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(5, 0);
    return c;
  }

  static inline std::vector<keras::Tensor> weights_;
  static inline std::shared_ptr<keras::app::Predictor> predictor_;
  static inline std::unique_ptr<keras::app::Server> server_;
  static inline std::thread thread_;
  static inline int port_ = 0;
};

TEST_F(AppServer, HealthModelAndPage) {
  auto c = client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");

  auto model = c.Get("/v1/model");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->status, 200);
  const json m = json::parse(model->body);
  EXPECT_EQ(m["input_shape"], json::parse("[null, 28, 28]"));
  EXPECT_EQ(m["output_shape"], json::parse("[null, 10]"));
  EXPECT_EQ(m["params"]["total"], 101770);
  EXPECT_EQ(m["layers"].size(), 4u);
  EXPECT_EQ(m["layers"][1]["class_name"], "Dense");
  EXPECT_EQ(m["outputs"], "probabilities");
  EXPECT_NE(m["summary"].get<std::string>().find("Total params: 101,770"), std::string::npos);

  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<canvas id=\"canvas\""), std::string::npos);
  EXPECT_EQ(page->body.find("://"), std::string::npos)
      << "the page must not load anything from elsewhere";
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);

  auto head = c.Head("/");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(AppServer, PredictsJsonInstancesOfEveryShape) {
  auto c = client();
  auto flat =
      c.Post("/v1/predict", R"({"instances": [)" + flat_instance(1.0f) + "]}", "application/json");
  ASSERT_TRUE(flat);
  ASSERT_EQ(flat->status, 200) << flat->body;
  const json p = json::parse(flat->body)["predictions"];
  ASSERT_EQ(p.size(), 1u);
  const auto probs = p[0]["probabilities"].get<std::vector<float>>();
  ASSERT_EQ(probs.size(), 10u);
  EXPECT_NEAR(std::accumulate(probs.begin(), probs.end(), 0.0), 1.0, 1e-5);
  EXPECT_EQ(p[0]["class"], std::max_element(probs.begin(), probs.end()) - probs.begin());
  EXPECT_FALSE(p[0].contains("input"));

  // (28, 28) and (28, 28, 1) nestings of the same values give the same answer as flat.
  for (bool channel : {false, true}) {
    auto nested =
        c.Post("/v1/predict", R"({"instances": [)" + nested_instance(28, 28, channel) + "]}",
               "application/json; charset=utf-8");
    ASSERT_TRUE(nested);
    ASSERT_EQ(nested->status, 200) << nested->body;
    EXPECT_EQ(json::parse(nested->body)["predictions"][0]["probabilities"], p[0]["probabilities"]);
  }

  std::vector<std::string> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(flat_instance(float(i) / 8));
  auto many =
      c.Post("/v1/predict", R"({"instances": )" + json_list(batch) + "}", "application/json");
  ASSERT_TRUE(many);
  ASSERT_EQ(many->status, 200) << many->body;
  EXPECT_EQ(json::parse(many->body)["predictions"].size(), 8u);
}

TEST_F(AppServer, PredictsAPngAndShowsWhatTheModelSaw) {
  auto c = client();
  const auto img = keras::testing::draw_digit(7, 280);
  auto res = c.Post("/v1/predict?include_input=true", png_body(img), "image/png");

  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json p = json::parse(res->body)["predictions"][0];
  const auto input = p["input"].get<std::vector<float>>();
  const std::string png = png_body(img);
  const auto expected = keras::app::preprocess_mnist(
      keras::app::decode_png({reinterpret_cast<const uint8_t*>(png.data()), png.size()}));
  ASSERT_EQ(input.size(), 784u);
  for (size_t i = 0; i < 784; ++i) ASSERT_FLOAT_EQ(input[i], expected[i]);
}

TEST_F(AppServer, EveryBadRequestGetsA4xxJsonError) {
  struct Case {
    std::string what;
    int status;
    std::string raw;  // a whole HTTP request
  };
  auto post = [](const std::string& type, const std::string& body,
                 const std::string& path = "/v1/predict") {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" +
           (type.empty() ? "" : "Content-Type: " + type + "\r\n") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  auto json_post = [&](const std::string& body) { return post("application/json", body); };
  auto instances = [](const std::string& inside) { return R"({"instances": [)" + inside + "]}"; };
  std::string bad_row = nested_instance(28, 27);
  const std::string zeros = json_list(std::vector<std::string>(784, "0"));
  const std::string too_many = json_list(std::vector<std::string>(9, zeros)).substr(1);
  std::string flat_with = flat_instance();
  const std::string big_value = "[255" + flat_with.substr(flat_with.find(','));
  const std::string huge_value = "[1e999" + flat_with.substr(flat_with.find(','));
  const std::string negative = "[-0.5" + flat_with.substr(flat_with.find(','));
  const std::string nan_value = "[NaN" + flat_with.substr(flat_with.find(','));
  const std::string text_value = "[\"0.5\"" + flat_with.substr(flat_with.find(','));
  const std::string null_value = "[null" + flat_with.substr(flat_with.find(','));
  std::string short_flat = flat_with.substr(0, flat_with.rfind(',')) + "]";

  const std::vector<Case> cases{
      {"malformed JSON (cut off)", 400, json_post(R"({"instances": [[0.1, 0.2])")},
      {"not JSON at all", 400, json_post("hello")},
      {"empty body", 400, json_post("")},
      {"NaN literal", 400, json_post(instances(nan_value))},
      {"number overflowing to infinity (1e999)", 400, json_post(instances(huge_value))},
      {"pixel value 255 (not scaled to [0, 1])", 400, json_post(instances(big_value))},
      {"negative pixel value", 400, json_post(instances(negative))},
      {"string among the numbers", 400, json_post(instances(text_value))},
      {"null among the numbers", 400, json_post(instances(null_value))},
      {"instance that is an object", 400, json_post(instances(R"({"pixels": [0.1]})"))},
      {"783 values instead of 784", 400, json_post(instances(short_flat))},
      {"ragged 28x28 (last row has 27)", 400, json_post(instances(bad_row))},
      {"instance nested deeper than the first", 400,
       json_post(instances(flat_instance() + ",[" + flat_instance() + "]"))},
      {"scalar instances", 400, json_post(instances("0.5, 0.5"))},
      {"no instances ([])", 400, json_post(instances(""))},
      {"no \"instances\" key", 400, json_post(R"({"inputs": [[0.1]]})")},
      {"\"instances\" not an array", 400, json_post(R"({"instances": 5})")},
      {"\"instances\" twice", 400, json_post(R"({"instances": [], "instances": []})")},
      {"top-level array", 400, json_post("[[0.1, 0.2]]")},
      {"9 instances, over the batch limit of 8", 413,
       json_post(instances(too_many.substr(0, too_many.size() - 1)))},
      {"body over the size limit (64 KiB)", 413, json_post(std::string((64 << 10) + 1, ' '))},
      {"Content-Type text/plain", 415, post("text/plain", instances(flat_instance()))},
      {"no Content-Type", 415, post("", instances(flat_instance()))},
      {"image/png body that is not a PNG", 400, post("image/png", "GIF89a....")},
      {"blank PNG (no digit)", 400,
       post("image/png", png_body({64, 64, std::vector<float>(64 * 64, 1.0f)}))},
      {"PNG over the size limit (600x600 > 512)", 413,
       post("image/png", png_body(keras::testing::draw_digit(1, 600)))},
      {"JSON sent as image/png", 400, post("image/png", instances(flat_instance()))},
      {"GET /v1/predict", 405, "GET /v1/predict HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"DELETE /healthz", 405, "DELETE /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"},
      {"POST /", 405, post("application/json", "{}", "/")},
      {"PUT /v1/model", 405, "PUT /v1/model HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"},
      {"unknown path", 404, "GET /v2/predict HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"unknown path with a body", 404, post("application/json", "{}", "/predict")},
      {"chunked body", 411,
       "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
       "application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
      {"POST without Content-Length", 411,
       "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: "
       "close\r\n\r\n{}"},
      {"gzip-compressed body", 415,
       "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
       "application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}"},
      {"Content-Length that is not a number", 400,
       "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
       "abc\r\n\r\n{}"},
      {"garbage request line", 400, "GARBAGE\r\n\r\n"},
      {"unknown method BREW", 400, "BREW /v1/predict HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"URI over 8 KiB", 414, "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"},
  };
  for (const auto& c : cases) {
    const Answer a = parse_raw(raw_request(port_, c.raw));
    EXPECT_EQ(a.status, c.status) << c.what << ": " << a.body;
    json body;
    ASSERT_NO_THROW(body = json::parse(a.body)) << c.what << ": not JSON: " << a.body;
    EXPECT_EQ(body["error"]["code"], a.status) << c.what;
    const std::string message = body["error"]["message"];
    EXPECT_FALSE(message.empty()) << c.what;
    std::cout << "  " << c.what << " -> " << a.status << " " << message << "\n";
  }
  // Still serving.
  auto c = client();
  auto ok =
      c.Post("/v1/predict", R"({"instances": [)" + flat_instance() + "]}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(AppServer, StalledClientsTimeOutWithoutBlockingOthers) {
  // Three clients send half a request and stop; the fourth worker still serves, and the read
  // timeout (1 s here) frees the three.
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> stalled;
  std::vector<Answer> answers(3);
  for (size_t i = 0; i < 3; ++i)
    stalled.emplace_back([&, i] {
      answers[i] =
          parse_raw(raw_request(port_,
                                "POST /v1/predict HTTP/1.1\r\nHost: x\r\n"
                                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"));
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto c = client();
  auto ok = c.Get("/healthz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  for (auto& t : stalled) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.5) << "the stalled requests were not cut off by the read timeout";
  for (const auto& a : answers) EXPECT_EQ(a.status, 400) << a.body;
}

TEST_F(AppServer, ConcurrentClientsGetTheSingleThreadedAnswers) {
  std::vector<std::string> bodies;
  std::vector<json> expected;
  for (int i = 0; i < 8; ++i) {
    bodies.push_back(R"({"instances": [)" + flat_instance(float(i + 1) / 8) + "]}");
    const auto answer = client().Post("/v1/predict", bodies.back(), "application/json");
    ASSERT_TRUE(answer);
    expected.push_back(json::parse(answer->body));
  }
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto c = client();
      for (int k = 0; k < 25; ++k) {
        const size_t i = static_cast<size_t>((t + k) % 8);
        auto res = c.Post("/v1/predict", bodies[i], "application/json");
        if (!res || res->status != 200)
          ++failures;
        else if (json::parse(res->body) != expected[i])
          ++mismatches;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(mismatches, 0);
}
