// Checks the four convolutional fixture files end to end today: when the library has no Conv2D /
// MaxPooling2D yet, this program registers plain reference versions (forward only, here in the
// test) through keras::layers::register_layer, then loads each file with the library's loaders
// and compares the MNIST accuracy and reference outputs with MANIFEST.md. Once the convolution
// layers are in the library, it uses those instead. This proves the loaders (weight layout,
// Keras 3 group names, legacy weight names, Flatten order) handle convolutional models.
//
//   keras_files_cnn_preview FIXTURES_DIR MNIST_DIR
#include <cmath>
#include <iostream>
#include <keras/keras.hpp>

namespace {

using namespace keras;
using namespace keras::layers;

// Conv2D, stride 1, "valid" padding, channels_last: y[h, w, f] = act(sum x[h+i, w+j, c] k[i, j, c,
// f] + b[f]).
class ReferenceConv2D : public Layer {
 public:
  ReferenceConv2D(int64_t filters, int64_t kh, int64_t kw, std::string_view act, bool bias,
                  std::string name)
      : Layer("conv2d", std::move(name), std::nullopt),
        f_(filters),
        kh_(kh),
        kw_(kw),
        act_(activations::get(act)),
        bias_(bias) {}
  std::string class_name() const override { return "Conv2D"; }
  Shape compute_output_shape(const Shape& s) const override {
    if (s.rank() != 3 || s[0] < kh_ || s[1] < kw_) throw ValueError("Conv2D: bad input " + s.str());
    return Shape{s[0] - kh_ + 1, s[1] - kw_ + 1, f_};
  }
  std::vector<WeightSpec> weight_specs() const override {
    std::vector<WeightSpec> w{{"kernel", Shape{kh_, kw_, input_shape()[2], f_}}};
    if (bias_) w.push_back({"bias", Shape{f_}});
    return w;
  }
  void forward(const float* x, float* y, int64_t batch, bool) override {
    const int64_t H = input_shape()[0], W = input_shape()[1], C = input_shape()[2];
    const int64_t OH = output_shape()[0], OW = output_shape()[1];
    const float* k = variables_[0].value;
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          float* out = y + ((n * OH + oh) * OW + ow) * f_;
          for (int64_t f = 0; f < f_; ++f) out[f] = bias_ ? variables_[1].value[f] : 0.0f;
          for (int64_t i = 0; i < kh_; ++i)
            for (int64_t j = 0; j < kw_; ++j)
              for (int64_t c = 0; c < C; ++c) {
                const float v = x[((n * H + oh + i) * W + ow + j) * C + c];
                const float* kk = k + ((i * kw_ + j) * C + c) * f_;
                for (int64_t f = 0; f < f_; ++f) out[f] += v * kk[f];
              }
        }
    kernels::activation_forward(y, batch * OH * OW, f_, act_);
  }
  void backward(const float*, const float*, const float*, float*, int64_t) override {
    throw NotImplementedError("reference Conv2D is forward-only");
  }

 private:
  int64_t f_, kh_, kw_;
  kernels::Activation act_;
  bool bias_;
};

// MaxPooling2D, "valid" padding, strides = pool size.
class ReferenceMaxPooling2D : public Layer {
 public:
  ReferenceMaxPooling2D(int64_t ph, int64_t pw, std::string name)
      : Layer("max_pooling2d", std::move(name), std::nullopt), ph_(ph), pw_(pw) {}
  std::string class_name() const override { return "MaxPooling2D"; }
  Shape compute_output_shape(const Shape& s) const override {
    return Shape{s[0] / ph_, s[1] / pw_, s[2]};
  }
  void forward(const float* x, float* y, int64_t batch, bool) override {
    const int64_t H = input_shape()[0], W = input_shape()[1], C = input_shape()[2];
    const int64_t OH = output_shape()[0], OW = output_shape()[1];
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t c = 0; c < C; ++c) {
            float m = -INFINITY;
            for (int64_t i = 0; i < ph_; ++i)
              for (int64_t j = 0; j < pw_; ++j)
                m = std::max(m, x[((n * H + oh * ph_ + i) * W + ow * pw_ + j) * C + c]);
            y[((n * OH + oh) * OW + ow) * C + c] = m;
          }
  }
  void backward(const float*, const float*, const float*, float*, int64_t) override {
    throw NotImplementedError("reference MaxPooling2D is forward-only");
  }

 private:
  int64_t ph_, pw_;
};

void register_reference_layers() {
  if (!is_layer_registered("Conv2D"))
    register_layer("Conv2D", [](const LayerConfig& c) -> LayerPtr {
      c.expect("padding", "valid");
      c.expect("strides", nlohmann::json::array({1, 1}));
      c.expect("dilation_rate", nlohmann::json::array({1, 1}));
      c.expect("data_format", "channels_last");
      const auto k = c.get_int_tuple("kernel_size", 2);
      return std::make_shared<ReferenceConv2D>(c.get_positive_int("filters"), k[0], k[1],
                                               c.get_activation(), c.get_bool("use_bias", true),
                                               c.name());
    });
  if (!is_layer_registered("MaxPooling2D"))
    register_layer(
        "MaxPooling2D",
        [](const LayerConfig& c) -> LayerPtr {
          c.expect("padding", "valid");
          const auto p = c.get_int_tuple("pool_size", 2, std::vector<int64_t>{2, 2});
          if (c.has("strides")) c.expect("strides", nlohmann::json::array({p[0], p[1]}));
          return std::make_shared<ReferenceMaxPooling2D>(p[0], p[1], c.name());
        },
        false);
}

struct Case {
  const char* file;
  int64_t correct;
  std::vector<double> ramp;
};

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::cerr << "usage: keras_files_cnn_preview FIXTURES_DIR MNIST_DIR\n";
    return 2;
  }
  const std::filesystem::path fixtures = argv[1];
  if (!std::filesystem::exists(fixtures / "MANIFEST.md") || !std::filesystem::exists(argv[2])) {
    std::cout << "SKIP: fixtures or MNIST not found\n";
    return 77;
  }
  const bool library_has_conv =
      is_layer_registered("Conv2D") && is_layer_registered("MaxPooling2D");
  register_reference_layers();
  std::cout << (library_has_conv ? "using the library's Conv2D/MaxPooling2D\n"
                                 : "using reference Conv2D/MaxPooling2D defined in this test\n");
  auto data = datasets::mnist::load_data(std::filesystem::path(argv[2]));
  const Tensor x = (data.x_test.astype<float>() / 255.0f).reshape(Shape{10000, 28, 28, 1});
  Tensor ramp(Shape{1, 28, 28, 1});
  for (int i = 0; i < 784; ++i) ramp[i] = float((i * 7) % 256) / 255.0f;

  const std::vector<Case> cases{{"mnist-cnn-dropout-k3.14.keras",
                                 9918,
                                 {1.9349e-06, 0.00246966, 0.231505, 0.0890207, 0.00148433,
                                  0.00467773, 1.10967e-05, 0.669937, 0.000831823, 6.02856e-05}},
                                {"mnist-convnet-k3.1-legacy.h5",
                                 9928,
                                 {0.0001522, 4.16107e-07, 0.425473, 0.0721145, 7.4051e-05,
                                  0.0172177, 7.98589e-05, 1.97189e-05, 0.48459, 0.000278367}},
                                {"mnist-cnn-k2.3.1.h5",
                                 9908,
                                 {7.67456e-05, 0.00465582, 0.72935, 0.0779751, 0.000373201,
                                  0.00863739, 5.70248e-05, 0.175356, 0.00346514, 5.42276e-05}},
                                {"mnist-cnn-weightsonly-k2.15.h5",
                                 9916,
                                 {0.00467308, 0.0602408, 0.213636, 0.365498, 0.0245138, 0.0444049,
                                  0.00562839, 0.174265, 0.09135, 0.0157902}}};
  int failures = 0;
  for (const auto& c : cases) {
    Sequential model =
        std::string(c.file).find("weightsonly") == std::string::npos
            ? models::load_model(fixtures / c.file, {.on_warning = [](const std::string&) {}})
            : models::model_from_json(R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28, 1]}},
          {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": 3, "activation": "relu"}},
          {"class_name": "MaxPooling2D", "config": {}},
          {"class_name": "Conv2D", "config": {"filters": 64, "kernel_size": 3, "activation": "relu"}},
          {"class_name": "MaxPooling2D", "config": {}}, {"class_name": "Flatten", "config": {}},
          {"class_name": "Dense", "config": {"units": 128, "activation": "relu"}},
          {"class_name": "Dropout", "config": {"rate": 0.5}},
          {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}]}})");
    if (std::string(c.file).find("weightsonly") != std::string::npos)
      model.load_weights(fixtures / c.file);
    const Tensor out = model.predict(x, {.batch_size = 500, .verbose = 0});
    const auto predicted = out.argmax(-1);
    int64_t correct = 0;
    for (int64_t i = 0; i < 10000; ++i) correct += predicted[i] == int64_t(data.y_test[i]);
    const Tensor r = model.predict(ramp, {.verbose = 0});
    double worst = 0;
    for (int k = 0; k < 10; ++k)
      worst =
          std::max(worst, std::fabs(r[k] - c.ramp[size_t(k)]) / (1e-5 + 5e-6 * c.ramp[size_t(k)]));
    const bool ok = correct == c.correct && worst <= 1.0;
    failures += !ok;
    std::cout << (ok ? "ok   " : "FAIL ") << c.file << ": accuracy " << correct / 100.0
              << "% (manifest " << c.correct / 100.0
              << "%), ramp outputs within tolerance: " << (worst <= 1.0 ? "yes" : "no") << "\n";
  }
  return failures ? 1 : 0;
} catch (const keras::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
