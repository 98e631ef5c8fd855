#include "keras/layers/reshape.hpp"

#include <algorithm>

#include "keras/core/error.hpp"

namespace keras::layers {

Reshape::Reshape(Shape target_shape, ReshapeOptions options)
    : Layer("reshape", std::move(options.name), std::move(options.input_shape)),
      target_shape_(std::move(target_shape)) {
  if (std::count(target_shape_.begin(), target_shape_.end(), -1) > 1 ||
      std::any_of(target_shape_.begin(), target_shape_.end(),
                  [](int64_t d) { return d == 0 || d < -1; }))
    throw ValueError("Reshape: target_shape " + target_shape_.str() +
                     " must hold positive dimensions and at most one -1");
}

Shape Reshape::compute_output_shape(const Shape& in) const {
  Shape out = target_shape_;
  int64_t known = 1;
  for (int64_t d : out)
    if (d != -1) known *= d;
  auto unknown = std::find(out.dims().begin(), out.dims().end(), -1);
  if (unknown != out.dims().end() && in.size() % known == 0)
    out[size_t(unknown - out.dims().begin())] = in.size() / known;
  if (out.size() != in.size())
    throw ValueError("Reshape '" + name() + "': the total size must be unchanged; input " +
                     in.with_batch(-1).str() + " holds " + std::to_string(in.size()) +
                     " values per sample, target_shape " + target_shape_.str() + " does not");
  return out;
}

// x and y are the same buffer (aliases_input), so there is nothing to move.
void Reshape::forward(const float* x, float* y, int64_t batch, bool) {
  if (x != y) std::copy(x, x + batch * output_shape().size(), y);
}

void Reshape::backward(const float*, const float*, const float* dy, float* dx, int64_t batch) {
  if (dx && dx != dy) std::copy(dy, dy + batch * output_shape().size(), dx);
}

nlohmann::json Reshape::get_config() const {
  auto c = Layer::get_config();
  c["target_shape"] = target_shape_.dims();
  return c;
}

}  // namespace keras::layers
