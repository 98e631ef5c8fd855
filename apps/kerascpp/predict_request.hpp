// The body formats of POST /v1/predict, as pure functions (the server only routes):
//   JSON   {"instances": [instance, ...]}, each instance a nested array of numbers in [0, 1]
//          shaped like the model input ((28, 28) or (28, 28, 1)) or flat ([784]);
//   PNG    one picture of a digit, preprocessed the MNIST way (digit_image.hpp).
// The answer is {"predictions": [{"class": 7, "probabilities": [10 numbers]}, ...]}; errors are
// {"error": {"code": 400, "message": "..."}}.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/error.hpp"
#include "keras/tensor/shape.hpp"

namespace keras::app {

/// An error that becomes an HTTP response with this status (always a 4xx for bad input).
class HttpError : public Error {
 public:
  HttpError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

/// Inputs of one request, laid out [count, input size].
struct Instances {
  std::vector<float> values;
  int64_t count = 0;
};

/// Parses {"instances": [...]} for a model with this input shape. Throws HttpError 400
/// (malformed JSON, wrong shape, a value not a finite number in [0, 1], no instances) or
/// 413 (more than max_batch instances).
Instances parse_json_instances(std::string_view body, const Shape& input_shape, int max_batch);

/// Decodes one PNG and preprocesses it to the 28x28 MNIST input; the model must take 784
/// values. Throws HttpError 400 (not a PNG, no digit in it), 413 (larger than max_side px)
/// or 422 (the model does not take 28x28 images).
Instances parse_png_instance(std::string_view body, int64_t input_size, int max_side);

/// {"predictions": [...]} for probabilities [count, classes]; with `inputs`, each prediction
/// also carries "input": the values the model saw (the page shows them as a 28x28 preview).
std::string predictions_json(std::span<const float> probabilities, int64_t classes,
                             const Instances* inputs = nullptr);

/// A JSON array of floats, each written with the fewest digits that read back as the same float
/// (0.99999535, not 0.9999953508377075).
nlohmann::json float_array(std::span<const float> values);

/// {"error": {"code": status, "message": message}}
std::string error_json(int status, std::string_view message);

}  // namespace keras::app
