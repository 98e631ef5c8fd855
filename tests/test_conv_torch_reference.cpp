// The convnet layers against numbers PyTorch computed (tools/make_conv_reference.py ->
// tests/fixtures/conv_reference.json), with both convolution implementations.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <keras/keras.hpp>
#include <nlohmann/json.hpp>

using namespace keras;
using namespace keras::layers;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream f(KERASCPP_FIXTURES_DIR "/conv_reference.json");
    if (!f) throw IOError("missing tests/fixtures/conv_reference.json");
    return json::parse(f);
  }();
  return ref;
}

Shape shape_of(const json& dims) {
  return Shape(dims.get<std::vector<int64_t>>());
}

// The generator's inputs: scale * sin(0.37 i + offset) + shift over the flat index, as float32.
std::vector<float> values(const Shape& s, double offset, double scale = 1.0, double shift = 0.0) {
  std::vector<float> v(static_cast<size_t>(s.size()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] =
        static_cast<float>(static_cast<float>(scale * std::sin(0.37 * double(i) + offset)) + shift);
  return v;
}
Tensor tensor(const Shape& s, double offset, double scale = 1.0, double shift = 0.0) {
  return Tensor(s, values(s, offset, scale, shift));
}

void expect_near_all(const float* actual, const json& expected, const std::string& what,
                     double tol = 1e-5) {
  for (size_t i = 0; i < expected.size(); ++i) {
    const double e = expected[i].get<double>();
    ASSERT_NEAR(actual[i], e, tol * std::max(1.0, std::fabs(e))) << what << " [" << i << "]";
  }
}

// A layer built for one input shape, its variables bound to vectors owned here.
struct Bound {
  Bound(LayerPtr l, const Shape& input_shape) : layer(std::move(l)) {
    layer->build(input_shape);
    const auto specs = layer->weight_specs();
    values.resize(specs.size());
    grads.resize(specs.size());
    std::vector<Variable> vars;
    for (size_t i = 0; i < specs.size(); ++i) {
      values[i].resize(size_t(specs[i].shape.size()));
      grads[i].resize(values[i].size());
      vars.push_back(
          {specs[i].name, specs[i].shape, values[i].data(), grads[i].data(), specs[i].trainable});
    }
    layer->bind(vars);
  }
  /// Copies into the bound storage (the layer holds pointers to it).
  void set(size_t i, const std::vector<float>& v) {
    ASSERT_EQ(v.size(), values[i].size());
    std::copy(v.begin(), v.end(), values[i].begin());
  }
  std::vector<float> run(const Tensor& x, bool training) {
    std::vector<float> y(size_t(x.shape()[0] * layer->output_shape().size()));
    layer->forward(x.data(), y.data(), x.shape()[0], training);
    return y;
  }
  LayerPtr layer;
  std::vector<std::vector<float>> values, grads;
};

std::vector<kernels::ConvImplementation> implementations() {
  std::vector<kernels::ConvImplementation> out{kernels::ConvImplementation::im2col};
  if (kernels::have_onednn()) out.push_back(kernels::ConvImplementation::onednn);
  return out;
}

struct ImplementationGuard {
  kernels::ConvImplementation saved = kernels::conv_implementation();
  ~ImplementationGuard() { kernels::set_conv_implementation(saved); }
};

}  // namespace

TEST(ConvTorchReference, Conv2DForwardAndGradients) {
  ImplementationGuard guard;
  for (auto impl : implementations()) {
    kernels::set_conv_implementation(impl);
    for (const json& c : reference()["conv2d"]) {
      const Shape xs = shape_of(c["x"]), ks = shape_of(c["kernel"]);
      const double seed = c["seed"].get<double>();
      const std::string what = kernels::to_string(impl) + " conv " + c["x"].dump() + " " +
                               c["padding"].get<std::string>();
      const Tensor x = tensor(xs, 0.1 + seed);
      for (const char* act : {"linear", "relu"}) {
        Bound b(std::make_shared<Conv2D>(
                    ks[3], Size2{ks[0], ks[1]}, act,
                    Conv2DOptions{.strides = Size2{c["strides"][0], c["strides"][1]},
                                  .padding = c["padding"].get<std::string>()}),
                xs.without_batch());
        ASSERT_EQ(b.layer->output_shape().with_batch(xs[0]), shape_of(c["output_shape"])) << what;
        b.set(0, values(ks, 1.3 + seed, 0.4));
        b.set(1, values(Shape{ks[3]}, 2.7 + seed, 0.2));
        const auto y = b.run(x, true);
        expect_near_all(y.data(), c[act], what + " " + act);
        if (std::string(act) != "linear") continue;
        // L = sum(r * y): dL/dy = r.
        const auto r = values(shape_of(c["output_shape"]), 0.9 + seed);
        std::vector<float> dx(size_t(x.size()));
        b.layer->backward(x.data(), y.data(), r.data(), dx.data(), xs[0]);
        expect_near_all(dx.data(), c["dx"], what + " dx");
        expect_near_all(b.grads[0].data(), c["dkernel"], what + " dkernel");
        expect_near_all(b.grads[1].data(), c["dbias"], what + " dbias");
      }
    }
  }
}

TEST(ConvTorchReference, Pooling) {
  for (const json& c : reference()["pooling"]) {
    const Shape xs = shape_of(c["x"]);
    const Pooling2DOptions options{.strides = Size2{c["strides"][0], c["strides"][1]},
                                   .padding = c["padding"].get<std::string>()};
    const Size2 pool{c["pool_size"][0], c["pool_size"][1]};
    LayerPtr layer = c["kind"] == "max"
                         ? LayerPtr(std::make_shared<MaxPooling2D>(pool, options))
                         : LayerPtr(std::make_shared<AveragePooling2D>(pool, options));
    Bound b(layer, xs.without_batch());
    ASSERT_EQ(layer->output_shape().with_batch(xs[0]), shape_of(c["output_shape"]));
    const auto y = b.run(tensor(xs, 0.4 + c["seed"].get<double>()), false);
    expect_near_all(y.data(), c["y"], layer->class_name() + " " + c["padding"].get<std::string>());
  }
  const json& g = reference()["global_average_pooling2d"];
  Bound b(std::make_shared<GlobalAveragePooling2D>(), shape_of(g["x"]).without_batch());
  expect_near_all(b.run(tensor(shape_of(g["x"]), 0.6), false).data(), g["y"],
                  "GlobalAveragePooling2D");
}

TEST(ConvTorchReference, BatchNormalizationTrainingAndInference) {
  for (const json& c : reference()["batch_normalization"]) {
    const Shape xs = shape_of(c["x"]);
    const Shape cs{xs[xs.rank() - 1]};
    Bound b(std::make_shared<BatchNormalization>(), xs.without_batch());
    b.set(0, values(cs, 1.1, 0.5, 1.0));  // gamma
    b.set(1, values(cs, 2.2, 0.3));       // beta
    b.set(2, values(cs, 3.3, 0.2));       // moving_mean
    b.set(3, values(cs, 4.4, 0.3, 1.0));  // moving_variance
    const Tensor x = tensor(xs, 0.2, 2.0, 0.5);
    const auto inference = b.run(x, false);
    expect_near_all(inference.data(), c["inference"],
                    "BatchNormalization inference " + c["x"].dump());
    const auto train = b.run(x, true);
    expect_near_all(train.data(), c["train"], "BatchNormalization training " + c["x"].dump());
    expect_near_all(b.values[2].data(), c["moving_mean_after"], "moving_mean");
    expect_near_all(b.values[3].data(), c["moving_variance_after"], "moving_variance");
  }
}

TEST(ConvTorchReference, SoftmaxActivationLayer) {
  const json& c = reference()["softmax_layer"];
  Bound b(std::make_shared<Activation>("softmax"), shape_of(c["x"]).without_batch());
  expect_near_all(b.run(tensor(shape_of(c["x"]), 0.7, 2.0), false).data(), c["y"], "softmax");
}

TEST(ConvTorchReference, MnistConvnetForward) {
  ImplementationGuard guard;
  for (auto impl : implementations()) {
    kernels::set_conv_implementation(impl);
    Sequential model{Input({28, 28, 1}),   Conv2D(32, {3, 3}, "relu"),
                     MaxPooling2D({2, 2}), Conv2D(64, {3, 3}, "relu"),
                     MaxPooling2D({2, 2}), Flatten(),
                     Dropout(0.5),         Dense(10, "softmax")};
    model.set_weights({tensor({3, 3, 1, 32}, 1.0, 0.3), tensor({32}, 1.5, 0.05),
                       tensor({3, 3, 32, 64}, 2.0, 0.08), tensor({64}, 2.5, 0.05),
                       tensor({1600, 10}, 3.0, 0.05), tensor({10}, 3.5, 0.05)});
    const Tensor y = model.predict(tensor({2, 28, 28, 1}, 0.3, 0.5, 0.5), {.verbose = 0});
    expect_near_all(y.data(), reference()["mnist_convnet"]["y"],
                    kernels::to_string(impl) + " convnet");
  }
}
