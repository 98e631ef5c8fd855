#include "support/gradient_check.hpp"

#include <algorithm>
#include <cmath>

namespace keras::testing {

GradientReport check_layer_gradients(layers::Layer& layer, const Shape& input_shape, int64_t batch,
                                     bool training, uint64_t seed, double atol, double rtol) {
  layer.build(input_shape);
  const auto specs = layer.weight_specs();
  const int64_t in_n = batch * input_shape.size();
  const int64_t out_n = batch * layer.output_shape().size();

  std::vector<std::vector<float>> values(specs.size()), grads(specs.size());
  std::vector<layers::Variable> vars;
  for (size_t i = 0; i < specs.size(); ++i) {
    values[i].resize(size_t(specs[i].shape.size()));
    grads[i].assign(values[i].size(), 0.0f);
    vars.push_back({specs[i].name, specs[i].shape, values[i].data(),
                    specs[i].trainable ? grads[i].data() : nullptr, specs[i].trainable});
  }
  layer.bind(vars);
  random::Generator init(seed);
  layer.initialize_weights(init);
  // Non-zero biases and scales, so their gradients are exercised away from special points.
  random::Generator perturb(seed + 1);
  for (auto& v : values)
    for (float& w : v) w += perturb.uniform(-0.3f, 0.3f);
  auto saved = values;  // the values every evaluation starts from

  random::Generator data(seed + 2);
  std::vector<float> x(static_cast<size_t>(in_n)), r(static_cast<size_t>(out_n)),
      y(static_cast<size_t>(out_n)), dx(static_cast<size_t>(in_n));
  for (float& v : x) v = data.uniform(-1.0f, 1.0f);
  for (float& v : r) v = data.uniform(-1.0f, 1.0f);

  auto loss = [&]() -> double {
    random::Generator reseed(seed + 3);  // same dropout mask on every evaluation
    layer.initialize_weights(reseed);
    for (size_t i = 0; i < values.size(); ++i)
      std::copy(saved[i].begin(), saved[i].end(), values[i].begin());
    layer.forward(x.data(), y.data(), batch, training);
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += double(r[i]) * y[i];
    return s;
  };

  // Analytic gradients.
  auto x_backup = x;
  loss();
  layer.backward(x.data(), y.data(), r.data(), dx.data(), batch);
  x = x_backup;

  GradientReport report;
  auto numeric = [&](float& slot) {
    const float h = 1e-3f * std::max(1.0f, std::fabs(slot));
    const float orig = slot;
    slot = orig + h;
    const double up = loss();
    slot = orig - h;
    const double down = loss();
    slot = orig;
    return (up - down) / (2.0 * double(h));
  };
  auto score = [&](double a, double n) { return std::fabs(a - n) / (atol + rtol * std::fabs(n)); };

  // Check up to 64 entries of the input and of each parameter, spread evenly.
  const size_t stride_x = std::max<size_t>(1, x.size() / 64);
  for (size_t j = 0; j < x.size(); j += stride_x) {
    const double n = numeric(x[j]);
    report.max_error_input = std::max(report.max_error_input, score(dx[j], n));
    ++report.checked;
  }
  for (size_t p = 0; p < values.size(); ++p) {
    if (!specs[p].trainable) continue;
    const size_t stride = std::max<size_t>(1, values[p].size() / 64);
    for (size_t j = 0; j < values[p].size(); j += stride) {
      const double n = numeric(saved[p][j]);
      report.max_error_params = std::max(report.max_error_params, score(grads[p][j], n));
      ++report.checked;
    }
  }
  return report;
}

}  // namespace keras::testing
