// Time of each step of a POST /v1/predict in `kerascpp serve`, one thread, no network:
//   app_request_bench [ITERATIONS]
// Prints microseconds per request for: parsing a single-image JSON body, decoding and
// preprocessing a 280x280 PNG drawing, the MLP's forward pass, writing the JSON answer.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>
#include <string>

#include "architectures.hpp"
#include "digit_image.hpp"
#include "predict_request.hpp"
#include "predictor.hpp"

namespace {

template <class F>
double micros_per_call(int n, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
             .count() /
         n;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  keras::config::set_num_threads(1);
  keras::app::Predictor predictor([] { return keras::app::build_model("mlp"); }, 1);

  // A drawn ring as a 280x280 PNG, and its 28x28 input as the JSON body clients send.
  keras::app::GrayImage page{280, 280, std::vector<float>(280 * 280, 1.0f)};
  for (int y = 0; y < 280; ++y)
    for (int x = 0; x < 280; ++x) {
      const double r = std::hypot((x - 140) / 60.0, (y - 140) / 95.0);
      if (std::abs(r - 1) < 0.12) page.pixels[size_t(y) * 280 + x] = 0.0f;
    }
  const auto png = keras::app::encode_png(page);
  const auto pixels = keras::app::preprocess_mnist(page);
  std::string body = R"({"instances": [[)";
  for (size_t i = 0; i < pixels.size(); ++i) {
    char v[16];
    std::snprintf(v, sizeof v, "%s%.4g", i ? "," : "", pixels[i]);
    body += v;
  }
  body += "]]}";

  keras::app::Instances in;
  std::vector<float> probs;
  std::string answer;
  const std::string_view png_view(reinterpret_cast<const char*>(png.data()), png.size());
  const double t_json = micros_per_call(
      n, [&] { in = keras::app::parse_json_instances(body, predictor.input_shape(), 256); });
  const double t_png = micros_per_call(
      n / 20 + 1, [&] { in = keras::app::parse_png_instance(png_view, 784, 2048); });
  const double t_model = micros_per_call(n, [&] { probs = predictor.predict(in.values, 1); });
  const double t_answer =
      micros_per_call(n, [&] { answer = keras::app::predictions_json(probs, 10); });
  std::printf("JSON body of %zu bytes, parsed:          %8.1f us\n", body.size(), t_json);
  std::printf("PNG of %zu bytes, decoded + preprocessed: %8.1f us\n", png.size(), t_png);
  std::printf("MLP forward pass (batch 1):             %8.1f us\n", t_model);
  std::printf("JSON answer written:                    %8.1f us\n", t_answer);
  std::printf("JSON request total (no network):        %8.1f us\n", t_json + t_model + t_answer);
  return 0;
}
