#include "keras/layers/global_average_pooling2d.hpp"

#include <algorithm>

#include "keras/core/error.hpp"

namespace keras::layers {

GlobalAveragePooling2D::GlobalAveragePooling2D(GlobalAveragePooling2DOptions options)
    : Layer("global_average_pooling2d", std::move(options.name), std::nullopt),
      keepdims_(options.keepdims) {}

Shape GlobalAveragePooling2D::compute_output_shape(const Shape& in) const {
  if (in.rank() != 3)
    throw ValueError("GlobalAveragePooling2D '" + name() +
                     "' expects input of shape (None, height, width, channels), got " +
                     in.with_batch(-1).str());
  return keepdims_ ? Shape{1, 1, in[2]} : Shape{in[2]};
}

// x: [B, P, C] with P = h*w pixels; y: [B, C].
void GlobalAveragePooling2D::forward(const float* x, float* y, int64_t batch, bool) {
  const int64_t P = input_shape()[0] * input_shape()[1], C = input_shape()[2];
  const float inv = 1.0f / float(P);
  for (int64_t b = 0; b < batch; ++b) {
    float* yb = y + b * C;
    std::fill(yb, yb + C, 0.0f);
    for (int64_t p = 0; p < P; ++p) {
      const float* xp = x + (b * P + p) * C;
      for (int64_t c = 0; c < C; ++c) yb[c] += xp[c];
    }
    for (int64_t c = 0; c < C; ++c) yb[c] *= inv;
  }
}

void GlobalAveragePooling2D::backward(const float*, const float*, const float* dy, float* dx,
                                      int64_t batch) {
  if (!dx) return;
  const int64_t P = input_shape()[0] * input_shape()[1], C = input_shape()[2];
  const float inv = 1.0f / float(P);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < P; ++p)
      for (int64_t c = 0; c < C; ++c) dx[(b * P + p) * C + c] = dy[b * C + c] * inv;
}

nlohmann::json GlobalAveragePooling2D::get_config() const {
  auto c = Layer::get_config();
  c["data_format"] = "channels_last";
  c["keepdims"] = keepdims_;
  return c;
}

}  // namespace keras::layers
