// The convnet layers: gradient checks, both convolution implementations against the reference
// loops, shapes, Keras configs, errors, summary() text and to_categorical.
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>

#include "support/gradient_check.hpp"
#include "support/test_support.hpp"

using namespace keras;
using namespace keras::layers;
using keras::testing::LayerCase;
using keras::testing::LayerGradientTest;

// ---- gradient checks (the shared checker; the TEST_P body lives in test_gradients.cpp) -------
namespace {
template <class L, class... A>
std::function<LayerPtr()> make(A... args) {
  return [=] { return std::make_shared<L>(args...); };
}
}  // namespace

INSTANTIATE_TEST_SUITE_P(
    Conv, LayerGradientTest,
    ::testing::Values(
        LayerCase{"Conv2D_valid_linear",
                  make<Conv2D>(int64_t{3}, Size2{3, 2}, std::string("linear"), Conv2DOptions{}),
                  Shape{5, 4, 2}, 2, true},
        LayerCase{"Conv2D_same_stride2_relu",
                  make<Conv2D>(int64_t{4}, Size2{3, 3}, std::string("relu"),
                               Conv2DOptions{.strides = 2, .padding = "same"}),
                  Shape{5, 6, 3}, 2, true},
        LayerCase{"Conv2D_tanh_no_bias",
                  make<Conv2D>(int64_t{2}, Size2{2, 2}, std::string("tanh"),
                               Conv2DOptions{.strides = {1, 2}, .use_bias = false}),
                  Shape{4, 5, 1}, 3, true},
        LayerCase{"Conv2D_softmax_same",
                  make<Conv2D>(int64_t{3}, Size2{1, 3}, std::string("softmax"),
                               Conv2DOptions{.padding = "same"}),
                  Shape{3, 3, 2}, 2, true},
        LayerCase{"MaxPooling2D_valid", make<MaxPooling2D>(Size2{2, 2}, Pooling2DOptions{}),
                  Shape{4, 5, 3}, 2, true},
        LayerCase{"MaxPooling2D_same_overlapping",
                  make<MaxPooling2D>(Size2{3, 3},
                                     Pooling2DOptions{.strides = Size2{2, 1}, .padding = "same"}),
                  Shape{5, 4, 2}, 2, true},
        LayerCase{"AveragePooling2D_valid", make<AveragePooling2D>(Size2{2, 3}, Pooling2DOptions{}),
                  Shape{4, 6, 2}, 2, true},
        LayerCase{"AveragePooling2D_same",
                  make<AveragePooling2D>(Size2{3, 3}, Pooling2DOptions{.strides = Size2{2, 2},
                                                                       .padding = "same"}),
                  Shape{5, 4, 2}, 2, true},
        LayerCase{"GlobalAveragePooling2D",
                  make<GlobalAveragePooling2D>(GlobalAveragePooling2DOptions{}), Shape{3, 4, 5}, 2,
                  true},
        LayerCase{"Reshape", make<Reshape>(Shape{-1, 2}, ReshapeOptions{}), Shape{3, 4}, 2, true},
        LayerCase{"BatchNormalization_training_4d",
                  make<BatchNormalization>(BatchNormalizationOptions{}), Shape{3, 2, 4}, 3, true},
        LayerCase{"BatchNormalization_training_2d",
                  make<BatchNormalization>(BatchNormalizationOptions{.center = false}), Shape{5}, 6,
                  true},
        LayerCase{"BatchNormalization_inference",
                  make<BatchNormalization>(BatchNormalizationOptions{}), Shape{2, 2, 3}, 2, false},
        LayerCase{"Activation_relu", make<Activation>(std::string("relu"), ActivationOptions{}),
                  Shape{3, 4}, 2, true},
        LayerCase{"Activation_softmax",
                  make<Activation>(std::string("softmax"), ActivationOptions{}), Shape{2, 5}, 3,
                  true},
        LayerCase{"Activation_sigmoid",
                  make<Activation>(std::string("sigmoid"), ActivationOptions{}), Shape{6}, 2,
                  true}),
    keras::testing::case_name);

// ---- both convolution implementations against the reference loops ---------------------------
namespace {

struct ImplementationGuard {  // restores the implementation and thread count a test changed
  kernels::ConvImplementation impl = kernels::conv_implementation();
  int threads = config::num_threads();
  ~ImplementationGuard() {
    kernels::set_conv_implementation(impl);
    config::set_num_threads(threads);
  }
};

std::vector<kernels::ConvImplementation> implementations() {
  std::vector<kernels::ConvImplementation> out{kernels::ConvImplementation::im2col};
  if (kernels::have_onednn()) out.push_back(kernels::ConvImplementation::onednn);
  return out;
}

std::vector<float> random_values(int64_t n, uint64_t seed) {
  random::Generator gen(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = gen.uniform(-1.0f, 1.0f);
  return v;
}

void expect_close(const std::vector<float>& actual, const std::vector<float>& expected,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], 1e-4 * std::max(1.0f, std::fabs(expected[i])))
        << what << " [" << i << "]";
}

}  // namespace

TEST(ConvKernels, BothImplementationsMatchReference) {
  ImplementationGuard guard;
  using kernels::Padding;
  struct Case {
    int64_t batch, h, w, c, oc, kh, kw, sh, sw;
    Padding padding;
  };
  const Case cases[] = {
      {5, 7, 6, 3, 4, 3, 3, 1, 1, Padding::valid},   {3, 9, 8, 2, 6, 3, 2, 2, 1, Padding::same},
      {9, 12, 12, 1, 8, 3, 3, 1, 1, Padding::valid}, {8, 5, 5, 8, 16, 1, 1, 1, 1, Padding::valid},
      {2, 6, 7, 4, 3, 5, 5, 3, 3, Padding::same},    {1, 4, 4, 2, 2, 2, 2, 2, 2, Padding::valid},
  };
  for (const Case& k : cases) {
    const auto g =
        kernels::make_window(k.batch, k.h, k.w, k.c, k.oc, k.kh, k.kw, k.sh, k.sw, k.padding);
    const auto x = random_values(k.batch * g.in_sample(), 1),
               w = random_values(k.kh * k.kw * k.c * k.oc, 2), b = random_values(k.oc, 3),
               dz = random_values(k.batch * g.out_sample(), 4);
    std::vector<float> y_ref(size_t(k.batch * g.out_sample())), dw_ref(w.size()), db_ref(b.size()),
        dx_ref(x.size());
    kernels::reference::conv2d_forward(g, x.data(), w.data(), b.data(), y_ref.data(),
                                       kernels::Activation::relu);
    kernels::reference::conv2d_backward(g, x.data(), w.data(), dz.data(), dw_ref.data(),
                                        db_ref.data(), dx_ref.data());
    for (auto impl : implementations())
      for (int threads : {1, 2}) {
        kernels::set_conv_implementation(impl);
        config::set_num_threads(threads);
        const std::string what = kernels::to_string(impl) + " threads=" + std::to_string(threads) +
                                 " case " + std::to_string(&k - cases);
        std::vector<float> y(y_ref.size()), dw(w.size()), db(b.size()), dx(x.size());
        for (int repeat = 0; repeat < 2; ++repeat) {  // the second call reuses the cached plans
          kernels::conv2d_forward(g, x.data(), w.data(), b.data(), y.data(),
                                  kernels::Activation::relu);
          kernels::conv2d_backward(g, x.data(), w.data(), dz.data(), dw.data(), db.data(),
                                   dx.data());
          expect_close(y, y_ref, what + " y");
          expect_close(dw, dw_ref, what + " dw");
          expect_close(db, db_ref, what + " db");
          expect_close(dx, dx_ref, what + " dx");
        }
        // Without bias and without dx (a first layer).
        std::vector<float> dw2(w.size());
        kernels::conv2d_backward(g, x.data(), w.data(), dz.data(), dw2.data(), nullptr, nullptr);
        expect_close(dw2, dw_ref, what + " dw (no db, no dx)");
      }
  }
}

TEST(ConvKernels, SamePaddingGeometryFollowsTensorFlow) {
  // Output ceil(in / stride); the odd padding pixel goes at the end.
  auto a = kernels::window_axis(7, 4, 2, kernels::Padding::same);
  EXPECT_EQ(a.out, 4);
  EXPECT_EQ(a.pad_before, 1);  // total 3: 1 before, 2 after
  auto g = kernels::make_window(1, 7, 7, 1, 1, 4, 4, 2, 2, kernels::Padding::same);
  EXPECT_EQ(g.pad_bottom(), 2);
  EXPECT_EQ(kernels::window_axis(5, 2, 2, kernels::Padding::valid).out, 2);  // floor
  EXPECT_EQ(kernels::window_axis(2, 3, 1, kernels::Padding::valid).out, 0);
}

TEST(ConvKernels, ImplementationSelection) {
  ImplementationGuard guard;
  kernels::set_conv_implementation(kernels::ConvImplementation::im2col);
  EXPECT_EQ(kernels::conv_implementation(), kernels::ConvImplementation::im2col);
  if (kernels::have_onednn()) {
    kernels::set_conv_implementation(kernels::ConvImplementation::onednn);
    EXPECT_EQ(kernels::to_string(kernels::conv_implementation()), "onednn");
  } else {
    EXPECT_THROW(kernels::set_conv_implementation(kernels::ConvImplementation::onednn),
                 NotImplementedError);
  }
}

// ---- shapes, configs, errors -----------------------------------------------------------------
TEST(ConvLayers, OutputShapesAndParameterCounts) {
  Conv2D conv(32, {3, 3}, "relu");
  conv.build(Shape{28, 28, 1});
  EXPECT_EQ(conv.output_shape(), (Shape{26, 26, 32}));
  EXPECT_EQ(conv.count_params(), 320);
  Conv2D same(8, 3, "linear", {.strides = 2, .padding = "SAME"});
  same.build(Shape{7, 8, 3});
  EXPECT_EQ(same.output_shape(), (Shape{4, 4, 8}));
  MaxPooling2D pool;
  pool.build(Shape{11, 11, 64});
  EXPECT_EQ(pool.output_shape(), (Shape{5, 5, 64}));  // floor, as Keras
  AveragePooling2D avg({3, 3}, {.strides = Size2{1, 1}, .padding = "same"});
  avg.build(Shape{5, 6, 2});
  EXPECT_EQ(avg.output_shape(), (Shape{5, 6, 2}));
  GlobalAveragePooling2D gap({.keepdims = true});
  gap.build(Shape{4, 4, 7});
  EXPECT_EQ(gap.output_shape(), (Shape{1, 1, 7}));
  Reshape reshape({-1, 4});
  reshape.build(Shape{2, 6});
  EXPECT_EQ(reshape.output_shape(), (Shape{3, 4}));
  BatchNormalization bn;
  bn.build(Shape{5, 5, 6});
  EXPECT_EQ(bn.count_params(), 24);
  const auto specs = bn.weight_specs();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].name, "gamma");
  EXPECT_EQ(specs[2].name, "moving_mean");
  EXPECT_FALSE(specs[3].trainable);
}

TEST(ConvLayers, KerasAutoNames) {
  backend::clear_session();
  EXPECT_EQ(Conv2D(1, 1).name(), "conv2d");
  EXPECT_EQ(Conv2D(1, 1).name(), "conv2d_1");
  EXPECT_EQ(MaxPooling2D().name(), "max_pooling2d");
  EXPECT_EQ(AveragePooling2D().name(), "average_pooling2d");
  EXPECT_EQ(GlobalAveragePooling2D().name(), "global_average_pooling2d");
  EXPECT_EQ(Reshape({1}).name(), "reshape");
  EXPECT_EQ(BatchNormalization().name(), "batch_normalization");
  EXPECT_EQ(Activation("relu").name(), "activation");
  backend::clear_session();
}

namespace {}  // namespace

TEST(ConvLayers, ErrorsNameTheProblem) {
  Conv2D conv(4, 3, "relu", {.name = "c"});
  EXPECT_NE(keras::testing::error_of([&] { conv.build(Shape{784}); }).find("Input({28, 28, 1})"),
            std::string::npos);
  EXPECT_NE(keras::testing::error_of([&] {
              conv.build(Shape{2, 2, 1});
            }).find("does not fit"),
            std::string::npos);
  EXPECT_THROW(Conv2D(4, 3, "relu", {.padding = "full"}), ValueError);
  EXPECT_THROW(Conv2D(0, 3), ValueError);
  EXPECT_THROW(MaxPooling2D({0, 2}), ValueError);
  EXPECT_THROW(Reshape({-1, -1}), ValueError);
  Reshape reshape({5});
  EXPECT_NE(keras::testing::error_of([&] {
              reshape.build(Shape{2, 3});
            }).find("total size"),
            std::string::npos);
  BatchNormalization bn({.axis = 1});
  EXPECT_THROW(bn.build(Shape{3, 4, 5}), NotImplementedError);
  EXPECT_THROW(Activation("swishy"), ValueError);
}

TEST(ConvLayers, ConfigsUseKerasKeys) {
  backend::clear_session();
  Conv2D conv(32, {3, 3}, "relu");
  const auto c = conv.get_config();
  for (const char* key :
       {"name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format",
        "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint"})
    EXPECT_TRUE(c.contains(key)) << key;
  EXPECT_EQ(c.size(), 19u);
  EXPECT_EQ(c["kernel_size"], nlohmann::json::parse("[3, 3]"));
  EXPECT_EQ(c["kernel_initializer"]["class_name"], "GlorotUniform");
  EXPECT_EQ(c["bias_initializer"]["config"], nlohmann::json::object());
  const auto p = MaxPooling2D().get_config();
  EXPECT_EQ(p["pool_size"], nlohmann::json::parse("[2, 2]"));
  EXPECT_EQ(p["strides"], nlohmann::json::parse("[2, 2]"));
  EXPECT_EQ(p.size(), 7u);
  const auto b = BatchNormalization().get_config();
  EXPECT_EQ(b["momentum"], 0.99);
  EXPECT_EQ(b["epsilon"], 0.001);
  EXPECT_EQ(b["gamma_initializer"]["class_name"], "Ones");
  backend::clear_session();
}

namespace {
// keras.layers.deserialize of one {"class_name", "config"} entry, collecting the warnings.
LayerPtr from_config(const std::string& class_name, const nlohmann::json& config,
                     std::vector<std::string>* warnings = nullptr) {
  return deserialize({{"class_name", class_name}, {"config", config}}, [&](const std::string& w) {
    if (warnings) warnings->push_back(w);
  });
}
}  // namespace

TEST(ConvLayers, FromConfigReadsKeras3AndKeras2) {
  // A Conv2D config as Keras 3.14 writes it (dtype policy object, lists for tuples).
  const auto k3 = nlohmann::json::parse(R"({"name": "conv2d_7", "trainable": true,
      "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}},
      "filters": 64, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last",
      "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": true,
      "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}},
      "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
      "kernel_constraint": null, "bias_constraint": null})");
  auto conv = std::dynamic_pointer_cast<Conv2D>(from_config("Conv2D", k3));
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv->name(), "conv2d_7");
  EXPECT_EQ(conv->filters(), 64);
  EXPECT_EQ(conv->activation(), kernels::Activation::relu);
  // Keras 2: the first layer carries batch_input_shape; ints for tuples are allowed too. Keras
  // 2.3 writes glorot_uniform as its VarianceScaling form; a VarianceScaling kerascpp cannot name
  // falls back to the default initializer with a warning (weights loaded from a file are
  // unaffected).
  const auto k2 =
      nlohmann::json::parse(R"({"name": "conv2d_1", "batch_input_shape": [null, 28, 28, 1],
      "filters": 32, "kernel_size": 3, "strides": 1, "padding": "same", "activation": "linear",
      "kernel_initializer": {"class_name": "VarianceScaling",
                             "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"}}})");
  std::vector<std::string> warnings;
  EXPECT_EQ(from_config("Conv2D", k2, &warnings)->get_config()["kernel_initializer"]["class_name"],
            "GlorotUniform");
  EXPECT_TRUE(warnings.empty());
  auto k2_unknown = k2;
  k2_unknown["kernel_initializer"]["config"] = nlohmann::json::object();
  auto first = from_config("Conv2D", k2_unknown, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("\"kernel_initializer\""), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("using glorot_uniform"), std::string::npos) << warnings[0];
  ASSERT_TRUE(first->declared_input_shape());
  EXPECT_EQ(*first->declared_input_shape(), (Shape{28, 28, 1}));
  first->build(Shape{28, 28, 1});
  EXPECT_EQ(first->output_shape(), (Shape{28, 28, 32}));

  auto dilated = k3;
  dilated["dilation_rate"] = nlohmann::json::parse("[2, 2]");
  EXPECT_THROW(from_config("Conv2D", dilated), NotImplementedError);
  auto channels_first = k3;
  channels_first["data_format"] = "channels_first";
  EXPECT_THROW(from_config("Conv2D", channels_first), NotImplementedError);

  // Every layer's config round-trips through the registry.
  backend::clear_session();
  std::vector<LayerPtr> layers{
      std::make_shared<Conv2D>(5, Size2{3, 2}, "tanh",
                               Conv2DOptions{.strides = 2, .padding = "same", .use_bias = false}),
      std::make_shared<MaxPooling2D>(Size2{3, 3}, Pooling2DOptions{.strides = Size2{1, 2}}),
      std::make_shared<AveragePooling2D>(),
      std::make_shared<GlobalAveragePooling2D>(GlobalAveragePooling2DOptions{.keepdims = true}),
      std::make_shared<Reshape>(Shape{-1, 7}),
      std::make_shared<BatchNormalization>(
          BatchNormalizationOptions{.momentum = 0.9, .scale = false}),
      std::make_shared<Activation>("softmax")};
  for (const auto& layer : layers) {
    const auto config = layer->get_config();
    EXPECT_EQ(deserialize(serialize(*layer))->get_config(), config) << layer->class_name();
  }
  backend::clear_session();
}

TEST(ConvLayers, FromConfigErrorsNameLayerAndKey) {
  // Each message names the layer, its class and the key, and shows the value.
  auto expect_error = [](const std::string& class_name, const char* config,
                         std::vector<std::string> parts) {
    const std::string what =
        keras::testing::error_of([&] { from_config(class_name, nlohmann::json::parse(config)); });
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what;
  };
  expect_error("Conv2D",
               R"({"name": "c", "filters": 4, "kernel_size": 3, "dilation_rate": [2, 2]})",
               {"layer 'c' (Conv2D)", "\"dilation_rate\" = [2,2] is not supported"});
  expect_error("Conv2D", R"({"name": "c", "filters": 4, "kernel_size": 3, "groups": 2})",
               {"\"groups\" = 2"});
  expect_error("Conv2D",
               R"({"name": "c", "filters": 4, "kernel_size": 3, "data_format": "channels_first"})",
               {"\"data_format\" = \"channels_first\"", "channels_last"});
  expect_error("Conv2D", R"({"name": "c", "kernel_size": 3})",
               {"layer 'c' (Conv2D), key \"filters\" is missing"});
  expect_error("Conv2D", R"({"name": "c", "filters": 4, "kernel_size": [3, 3, 3]})",
               {"\"kernel_size\" must be an integer or a list of 2 integers, got [3,3,3]"});
  expect_error("Conv2D", R"({"name": "c", "filters": 4, "kernel_size": 3, "strides": [1, 0]})",
               {"\"strides\" must hold integers in [1, 2^31], got 0"});
  expect_error("Conv2D", R"({"name": "c", "filters": 4, "kernel_size": 3, "padding": "full"})",
               {"layer 'c' (Conv2D): \"padding\" must be \"valid\" or \"same\", got \"full\""});
  expect_error("MaxPooling2D", R"({"name": "p", "padding": "causal"})",
               {"layer 'p' (MaxPooling2D): \"padding\"", "causal"});
  expect_error("MaxPooling2D", R"({"name": "p", "pool_size": "2"})",
               {"layer 'p' (MaxPooling2D), key \"pool_size\""});
  expect_error("AveragePooling2D", R"({"name": "p", "data_format": "channels_first"})",
               {"\"data_format\""});
  expect_error("GlobalAveragePooling2D", R"({"name": "g", "keepdims": 1})",
               {"\"keepdims\" must be true or false"});
  expect_error("Reshape", R"({"name": "r"})", {"layer 'r' (Reshape): \"target_shape\" is missing"});
  expect_error("Reshape", R"({"name": "r", "target_shape": [7, null]})",
               {"\"target_shape\" must hold", "None"});
  expect_error("BatchNormalization", R"({"name": "bn", "axis": [1, 2]})",
               {"layer 'bn' (BatchNormalization), key \"axis\" = [1,2] is not supported yet"});
  expect_error("BatchNormalization", R"({"name": "bn", "momentum": "high"})",
               {"\"momentum\" must be a finite number"});
  expect_error("Activation", R"({"name": "a", "activation": "swishy"})",
               {"\"activation\"", "swishy"});

  // Keras 2's one-element axis list, and -1 in a target shape.
  auto bn = std::dynamic_pointer_cast<BatchNormalization>(
      from_config("BatchNormalization", {{"axis", {3}}}));
  ASSERT_TRUE(bn);
  EXPECT_EQ(bn->get_config()["axis"], 3);
  auto reshape =
      std::dynamic_pointer_cast<Reshape>(from_config("Reshape", {{"target_shape", {-1, 7}}}));
  ASSERT_TRUE(reshape);
  EXPECT_EQ(reshape->target_shape(), (Shape{-1, 7}));
  backend::clear_session();
}

// ---- models --------------------------------------------------------------------------------
namespace {
// keras-behavior.md §6: the keras.io MNIST convnet's summary in a fresh process, 76 wide.
const char* kConvnetSummary =
    "Model: \"sequential\"\n"
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ conv2d (Conv2D)                 │ (None, 26, 26, 32)     │           320 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ max_pooling2d (MaxPooling2D)    │ (None, 13, 13, 32)     │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ conv2d_1 (Conv2D)               │ (None, 11, 11, 64)     │        18,496 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ max_pooling2d_1 (MaxPooling2D)  │ (None, 5, 5, 64)       │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ flatten (Flatten)               │ (None, 1600)           │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dropout (Dropout)               │ (None, 1600)           │             0 │\n"
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                   │ (None, 10)             │        16,010 │\n"
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
    " Total params: 34,826 (136.04 KB)\n"
    " Trainable params: 34,826 (136.04 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n";
}  // namespace

TEST(ConvModels, SummaryMatchesKeras3) {
  backend::clear_session();
  Sequential model{Input({28, 28, 1}),   Conv2D(32, {3, 3}, "relu"),
                   MaxPooling2D({2, 2}), Conv2D(64, {3, 3}, "relu"),
                   MaxPooling2D({2, 2}), Flatten(),
                   Dropout(0.5),         Dense(10, "softmax")};
  EXPECT_EQ(model.summary_string(76), kConvnetSummary);
  EXPECT_EQ(model.count_params(), 34826);
  backend::clear_session();
}

TEST(ConvModels, BatchNormalizationTrainsAndUsesMovingStatistics) {
  utils::set_random_seed(3);
  Sequential model{
      Input({6, 6, 2}),     Conv2D(4, 3, "linear", {.padding = "same", .use_bias = false}),
      BatchNormalization(), Activation("relu"),
      AveragePooling2D(),   GlobalAveragePooling2D(),
      Dense(3, "softmax")};
  EXPECT_EQ(model.non_trainable_buffer().size(), 8u);  // moving_mean and moving_variance
  random::Generator gen(5);
  Tensor x(Shape{64, 6, 6, 2});
  for (float& v : x) v = gen.uniform(0.0f, 2.0f);
  NDArray<int64_t> labels(Shape{64});
  for (int64_t i = 0; i < 64; ++i) labels[i] = i % 3;
  const Tensor y = utils::to_categorical(labels, 3);
  model.compile("adam", "categorical_crossentropy", {"accuracy"});
  const std::vector<float> before(model.non_trainable_buffer().begin(),
                                  model.non_trainable_buffer().end());
  model.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0});
  const std::vector<float> after(model.non_trainable_buffer().begin(),
                                 model.non_trainable_buffer().end());
  EXPECT_NE(before, after);  // training updated the moving statistics
  // Inference uses the moving statistics: the same input gives the same output in any batch.
  const Tensor all = model.predict(x, {.batch_size = 64, .verbose = 0});
  const Tensor one = model.predict(x.head(1), {.verbose = 0});
  for (int64_t j = 0; j < 3; ++j) EXPECT_NEAR(all[j], one[j], 1e-6);
  // evaluate does not touch them.
  model.evaluate(x, y, {.verbose = 0});
  EXPECT_EQ(
      std::vector<float>(model.non_trainable_buffer().begin(), model.non_trainable_buffer().end()),
      after);
}

TEST(ToCategorical, OneHotAsKeras) {
  NDArray<uint8_t> y(Shape{4}, std::vector<uint8_t>{0, 2, 1, 2});
  Tensor t = utils::to_categorical(y, 3);
  EXPECT_EQ(t.shape(), (Shape{4, 3}));
  EXPECT_EQ(t.str(), Tensor(Shape{4, 3}, {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}).str());
  EXPECT_EQ(utils::to_categorical(y).shape(), (Shape{4, 3}));  // inferred: max + 1
  EXPECT_EQ(utils::to_categorical(Tensor(Shape{2, 1}, {1, 0}), 2).shape(),
            (Shape{2, 2}));  // (N, 1) squeezed
  EXPECT_THROW(utils::to_categorical(y, 2), ValueError);
  EXPECT_THROW(utils::to_categorical(Tensor(Shape{1}, {1.5f}), 3), ValueError);
  EXPECT_THROW(utils::to_categorical(Tensor(Shape{1}, {-1.0f}), 3), ValueError);
}
