#include "keras/tensor/shape.hpp"

#include <ostream>

namespace keras {

int64_t Shape::size() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

int64_t Shape::inner_size() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims_.size(); ++i) n *= dims_[i];
  return n;
}

Shape Shape::with_batch(int64_t batch) const {
  std::vector<int64_t> d;
  d.reserve(dims_.size() + 1);
  d.push_back(batch);
  d.insert(d.end(), dims_.begin(), dims_.end());
  return Shape(std::move(d));
}

Shape Shape::without_batch() const {
  if (dims_.empty()) return {};
  return Shape(std::vector<int64_t>(dims_.begin() + 1, dims_.end()));
}

static std::string join_dims(const std::vector<int64_t>& dims) {
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += dims[i] < 0 ? std::string("None") : std::to_string(dims[i]);
  }
  return out;
}

// Built by appending: GCC 12 at -O3 raises a false -Wrestrict on `"(" + s + ")"`.
static std::string parenthesized(const std::vector<int64_t>& dims, const char* close) {
  std::string out = "(";
  out += join_dims(dims);
  out += close;
  return out;
}

std::string Shape::str() const {
  return parenthesized(dims_, dims_.size() == 1 ? ",)" : ")");
}

std::string Shape::keras_str() const {
  return parenthesized(dims_, ")");
}

std::string to_string(const Shape& s) {
  return s.str();
}
std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << s.str();
}

}  // namespace keras
