// Dropout(rate): inverted dropout, active only when training. Keeps each element with
// probability 1-rate and scales kept ones by 1/(1-rate); at inference it is the identity.
#pragma once

#include "keras/layers/layer.hpp"

namespace keras::layers {

struct DropoutOptions {
  std::optional<uint64_t> seed =
      std::nullopt;  ///< fixed seed for the masks; default: from the global seed
  std::string name = {};
};

class Dropout : public Layer {
 public:
  explicit Dropout(double rate, DropoutOptions options = {});
  std::string class_name() const override { return "Dropout"; }
  double rate() const { return rate_; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  void forward(const float* x, float* y, int64_t batch, bool training) override;
  void backward(const float* x, const float* y, const float* dy, float* dx, int64_t batch) override;
  bool has_training_behaviour() const override { return true; }
  nlohmann::json get_config() const override;
  void initialize_weights(random::Generator& gen) override;

 private:
  double rate_;
  std::optional<uint64_t> seed_;
  random::Generator gen_;
  std::vector<float> mask_;  // 0 or 1/(1-rate) per element of the last training batch
  bool last_training_ = false;
};

}  // namespace keras::layers
