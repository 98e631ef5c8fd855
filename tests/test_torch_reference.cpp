// Dense, softmax + cross-entropy, Adam and one whole training step, compared with numbers that
// PyTorch computed (tools/make_torch_reference.py -> tests/fixtures/torch_reference.json).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <keras/keras.hpp>
#include <nlohmann/json.hpp>

using namespace keras;
using nlohmann::json;

namespace {

json reference() {
  std::ifstream f(KERASCPP_FIXTURES_DIR "/torch_reference.json");
  EXPECT_TRUE(f.good()) << "missing tests/fixtures/torch_reference.json";
  return json::parse(f);
}

// The generator's inputs: scale * sin(0.37 i + offset), rounded to float32.
std::vector<float> values(int n, double offset, double scale = 1.0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    v[size_t(i)] = static_cast<float>(scale * std::sin(0.37 * i + offset));
  return v;
}

Tensor tensor(Shape shape, const std::vector<float>& v) {
  return Tensor(std::move(shape), v);
}

void expect_near_all(const float* actual, const json& expected, double tol,
                     const std::string& what) {
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i].get<double>(),
                tol * std::max(1.0, std::fabs(expected[i].get<double>())))
        << what << " [" << i << "]";
}

}  // namespace

TEST(TorchReference, DenseForwardEveryActivation) {
  const json ref = reference()["dense"];
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax"}) {
    Sequential model{layers::Input({5}), layers::Dense(3, act)};
    model.set_weights({tensor({5, 3}, values(15, 1.3, 0.5)), tensor({3}, values(3, 2.7, 0.1))});
    Tensor y = model.predict(tensor({4, 5}, values(20, 0.1)), {.verbose = 0});
    expect_near_all(y.data(), ref[act], 1e-6, act);
  }
}

TEST(TorchReference, SparseCrossentropyLossAndGradients) {
  const json ref = reference()["sparse_ce"];
  std::vector<float> logits = values(12, 0.5, 2.0), probs = logits;
  kernels::activation_forward(probs.data(), 4, 3, kernels::Activation::softmax);
  std::vector<float> labels;
  for (const auto& l : ref["labels"]) labels.push_back(l.get<float>());

  auto loss = losses::get("sparse_categorical_crossentropy");
  EXPECT_NEAR(loss->call(probs.data(), labels.data(), 4, 3), ref["loss"].get<double>(), 1e-6);
  std::vector<float> g(12);
  loss->gradient(probs.data(), labels.data(), g.data(), 4, 3);
  // Keras renormalises p = y / sum(y) before the log; PyTorch's nll(log p) does not. That adds
  // d/dy_k [log sum(y)] / B = 1/B to every element (and vanishes through the softmax).
  json keras_grad = ref["grad_probabilities"];
  for (auto& v : keras_grad) v = v.get<double>() + 1.0 / 4.0;
  expect_near_all(g.data(), keras_grad, 1e-5, "d/dprobabilities");
  ASSERT_TRUE(loss->softmax_gradient(probs.data(), labels.data(), g.data(), 4, 3));
  expect_near_all(g.data(), ref["grad_logits"], 1e-6, "fused d/dlogits");

  auto from_logits = losses::SparseCategoricalCrossentropy{.from_logits = true}.make();
  EXPECT_NEAR(from_logits->call(logits.data(), labels.data(), 4, 3), ref["loss"].get<double>(),
              1e-6);
  from_logits->gradient(logits.data(), labels.data(), g.data(), 4, 3);
  expect_near_all(g.data(), ref["grad_logits"], 1e-6, "from_logits d/dlogits");

  // Categorical cross-entropy with the same targets one-hot gives the same loss; MSE too.
  std::vector<float> onehot(12, 0.0f);
  for (int b = 0; b < 4; ++b) onehot[size_t(b * 3) + size_t(labels[size_t(b)])] = 1.0f;
  EXPECT_NEAR(losses::get("categorical_crossentropy")->call(probs.data(), onehot.data(), 4, 3),
              ref["loss"].get<double>(), 1e-6);
  EXPECT_NEAR(losses::get("mse")->call(probs.data(), onehot.data(), 4, 3),
              reference()["mse"]["loss"].get<double>(), 1e-6);
}

TEST(TorchReference, AdamMatchesKerasRuleStepByStep) {
  const json steps = reference()["adam"]["steps"];
  auto adam = optimizers::get("adam");
  std::vector<float> w = values(6, 0.9);
  adam->build(6);
  for (int k = 0; k < 3; ++k) {
    std::vector<float> g = values(6, 3.0 + k, 0.5);
    adam->apply(w.data(), g.data(), 6);
    expect_near_all(w.data(), steps[size_t(k)], 1e-6, "Adam step " + std::to_string(k + 1));
  }
  EXPECT_EQ(adam->iterations(), 3);
}

TEST(TorchReference, OneFullTrainingStep) {
  const json ref = reference()["train_step"];
  Sequential model{layers::Input({6}), layers::Dense(5, "relu"), layers::Dense(3, "softmax")};
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.set_weights({tensor({6, 5}, values(30, 1.1, 0.4)), tensor({5}, values(5, 2.2, 0.1)),
                     tensor({5, 3}, values(15, 3.3, 0.4)), tensor({3}, values(3, 4.4, 0.1))});
  std::vector<float> labels;
  for (const auto& l : ref["labels"]) labels.push_back(l.get<float>());
  const std::vector<float> x = values(24, 0.2);
  const double loss = model.train_on_batch(x.data(), labels.data(), 4);
  EXPECT_NEAR(loss, ref["loss"].get<double>(), 1e-6);
  // Gradients are in the flat buffer, in Keras's variable order.
  auto grads = model.gradient_buffer();
  size_t offset = 0;
  for (const auto& g : ref["grads"]) {
    expect_near_all(grads.data() + offset, g, 1e-5, "gradient");
    offset += g.size();
  }
  auto weights = model.get_weights();
  for (size_t i = 0; i < weights.size(); ++i)
    expect_near_all(weights[i].data(), ref["weights_after"][i], 1e-6, "weight");
}
