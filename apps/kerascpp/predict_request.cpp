#include "predict_request.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "digit_image.hpp"

namespace keras::app {

namespace {

using nlohmann::json;

std::string shape_text(const std::vector<int64_t>& dims) {
  return Shape(dims).str();
}

// Drops axes of length 1, so (28, 28, 1) and (28, 28) compare equal.
std::vector<int64_t> squeezed(const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  for (int64_t d : dims)
    if (d != 1) out.push_back(d);
  return out;
}

// Streams the body once (SAX), writing numbers straight into the output and checking the
// shape as it goes: no JSON tree is built, and a bad request stops at its first error.
class InstancesReader {
 public:
  InstancesReader(int64_t max_instances, int64_t max_values)
      : max_instances_(max_instances), max_values_(max_values) {}

  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("a boolean"); }
  bool string(json::string_t&) { return scalar("a string"); }
  bool binary(json::binary_t&) { return scalar("binary data"); }
  bool number_integer(json::number_integer_t v) { return number(static_cast<double>(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return number(static_cast<double>(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return number(v); }

  bool start_object(std::size_t) {
    if (depth_ == 0) return ++depth_, true;
    if (inside_instances()) {
      if (depth_ == base_) start_instance();
      return fail(400, instance_name() + " is a JSON object; each instance is an array of numbers");
    }
    if (expect_instances_) return fail(400, "\"instances\" must be an array of instances");
    return ++depth_, true;
  }
  bool key(json::string_t& k) {
    if (depth_ == 1 && k == "instances") {
      if (seen_instances_) return fail(400, "the body has \"instances\" twice");
      seen_instances_ = expect_instances_ = true;
    }
    return true;
  }
  bool end_object() { return --depth_, true; }

  bool start_array(std::size_t) {
    if (depth_ == 0) return top_level_error();
    if (expect_instances_) {
      expect_instances_ = false;
      base_ = ++depth_;
      return true;
    }
    if (!inside_instances()) return ++depth_, true;
    if (depth_ == base_ && !start_instance()) return false;
    const size_t level = static_cast<size_t>(depth_ - base_);
    if (rank_ && level >= *rank_)
      return fail(400, instance_name() + " has arrays nested deeper than its numbers" + expected());
    if (level > 0) ++counts_[level - 1];
    if (counts_.size() <= level) counts_.resize(level + 1), dims_.resize(level + 1, -1);
    counts_[level] = 0;
    ++depth_;
    return true;
  }
  bool end_array() {
    --depth_;
    if (base_ == 0 || depth_ < base_) return true;
    if (depth_ == base_ - 1) return base_ = 0, true;  // closed the instances array
    const size_t level = static_cast<size_t>(depth_ - base_);
    if (dims_[level] < 0) dims_[level] = counts_[level];
    if (counts_[level] != dims_[level])
      return fail(400, instance_name() + " is ragged: an array at depth " +
                           std::to_string(level + 1) + " has " + std::to_string(counts_[level]) +
                           " entries where " + std::to_string(dims_[level]) + " are expected" +
                           expected());
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ...".
    std::string what = e.what();
    if (auto tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
    return fail(400, "malformed JSON (byte " + std::to_string(position) + "): " + what);
  }

  /// Call after parsing; throws the first error, or checks the shape against the model's.
  Instances finish(const Shape& input_shape) {
    if (status_) throw HttpError(status_, message_);
    if (!seen_instances_)
      throw HttpError(400,
                      "the body has no \"instances\"; send {\"instances\": [[...784 numbers...]]}");
    if (count_ == 0) throw HttpError(400, "\"instances\" is empty; send at least one instance");
    if (!rank_) throw HttpError(400, "the instances hold no numbers");
    const std::vector<int64_t> shape(dims_.begin(),
                                     dims_.begin() + static_cast<std::ptrdiff_t>(*rank_));
    const std::vector<int64_t>& model = input_shape.dims();
    if (shape != model && shape != std::vector<int64_t>{input_shape.size()} &&
        squeezed(shape) != squeezed(model))
      throw HttpError(400, "each instance has shape " + shape_text(shape) +
                               ", but the model takes " + input_shape.str() + " (or " +
                               shape_text({input_shape.size()}) + " flat)");
    return {std::move(values_), count_};
  }

 private:
  bool inside_instances() const { return base_ > 0 && depth_ >= base_; }
  std::string instance_name() const { return "instance " + std::to_string(count_ - 1); }
  // " (instance 0 has shape (28, 28))", once instance 0 is complete.
  std::string expected() const {
    if (!rank_ || count_ < 2) return "";
    return " (instance 0 has shape " +
           shape_text({dims_.begin(), dims_.begin() + static_cast<std::ptrdiff_t>(*rank_)}) + ")";
  }
  bool top_level_error() {
    return fail(400, "the body must be a JSON object: {\"instances\": [...]}");
  }

  bool fail(int status, std::string message) {
    if (!status_) status_ = status, message_ = std::move(message);
    return false;
  }
  bool start_instance() {
    if (++count_ > max_instances_)
      return fail(413,
                  "too many instances: at most " + std::to_string(max_instances_) + " per request");
    return true;
  }
  bool scalar(const char* kind) {
    if (depth_ == 0) return top_level_error();
    if (expect_instances_) return fail(400, "\"instances\" must be an array of instances");
    if (!inside_instances()) return true;
    if (depth_ == base_) start_instance();
    return fail(400, instance_name() + " holds " + kind + "; instances hold numbers in [0, 1]");
  }
  bool number(double v) {
    if (depth_ == 0) return top_level_error();
    if (expect_instances_) return fail(400, "\"instances\" must be an array of instances");
    if (!inside_instances()) return true;
    if (depth_ == base_ && !start_instance()) return false;
    const size_t level = static_cast<size_t>(depth_ - base_);
    if (!rank_) rank_ = level;
    if (level != *rank_)
      return fail(400, instance_name() + " has numbers at depth " + std::to_string(level) +
                           ", but " + "instance 0 has them at depth " + std::to_string(*rank_) +
                           expected());
    if (level > 0) ++counts_[level - 1];
    if (!std::isfinite(v) || v < 0.0 || v > 1.0)
      return fail(400, instance_name() + " holds " +
                           (std::isfinite(v) ? json(v).dump() : "a non-finite number") +
                           "; pixel values must be in [0, 1] (divide 0-255 values by 255)");
    if (static_cast<int64_t>(values_.size()) >= max_values_)
      return fail(413, "too many values: at most " + std::to_string(max_values_) + " per request");
    values_.push_back(static_cast<float>(v));
    return true;
  }

  int64_t max_instances_, max_values_;
  int depth_ = 0;  // open containers
  int base_ = 0;   // depth inside the instances array (0: not in it)
  bool seen_instances_ = false, expect_instances_ = false;
  int64_t count_ = 0;
  std::optional<size_t> rank_;
  std::vector<int64_t> counts_, dims_;  // per nesting level of an instance
  std::vector<float> values_;
  int status_ = 0;
  std::string message_;
};

}  // namespace

Instances parse_json_instances(std::string_view body, const Shape& input_shape, int max_batch) {
  InstancesReader reader(max_batch, int64_t{max_batch} * input_shape.size());
  json::sax_parse(body.begin(), body.end(), &reader);
  return reader.finish(input_shape);
}

Instances parse_png_instance(std::string_view body, int64_t input_size, int max_side) {
  if (input_size != kMnistSide * kMnistSide)
    throw HttpError(422, "this model takes " + std::to_string(input_size) +
                             " values per instance, not a 28x28 image; send JSON instances");
  const std::span bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  try {
    const MnistPixels pixels = preprocess_mnist(decode_png(bytes, "the request body", max_side));
    return {std::vector<float>(pixels.begin(), pixels.end()), 1};
  } catch (const IOError& e) {
    // decode_png says "at most N x N" when the picture is too large.
    const bool too_large = std::string_view(e.what()).find("at most") != std::string_view::npos;
    throw HttpError(too_large ? 413 : 400, e.what());
  } catch (const ValueError& e) {
    throw HttpError(400, e.what());
  }
}

nlohmann::json float_array(std::span<const float> values) {
  json out = json::array();
  char text[32];
  for (float v : values) {
    // The shortest decimal of the float, read back as the double the JSON writer prints.
    const auto end = std::to_chars(text, text + sizeof text - 1, v).ptr;
    *end = '\0';
    out.push_back(std::strtod(text, nullptr));
  }
  return out;
}

std::string predictions_json(std::span<const float> probabilities, int64_t classes,
                             const Instances* inputs) {
  const int64_t n = static_cast<int64_t>(probabilities.size()) / classes;
  const int64_t input_size =
      inputs ? static_cast<int64_t>(inputs->values.size()) / inputs->count : 0;
  json predictions = json::array();
  for (int64_t i = 0; i < n; ++i) {
    const auto row =
        probabilities.subspan(static_cast<size_t>(i * classes), static_cast<size_t>(classes));
    json p{{"class", std::max_element(row.begin(), row.end()) - row.begin()},
           {"probabilities", float_array(row)}};
    if (inputs) {
      const float* first = inputs->values.data() + i * input_size;
      p["input"] = float_array({first, static_cast<size_t>(input_size)});
    }
    predictions.push_back(std::move(p));
  }
  return json{{"predictions", std::move(predictions)}}.dump();
}

std::string error_json(int status, std::string_view message) {
  return json{{"error", {{"code", status}, {"message", message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace keras::app
