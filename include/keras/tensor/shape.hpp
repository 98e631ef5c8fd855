// Shapes: a small vector of dimensions, printed the way Python prints tuples.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

namespace keras {

/// Dimensions of an array, outermost first. A negative entry stands for an unknown (batch) size.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  size_t rank() const { return dims_.size(); }
  int64_t operator[](size_t i) const { return dims_[i]; }
  int64_t& operator[](size_t i) { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  auto begin() const { return dims_.begin(); }
  auto end() const { return dims_.end(); }
  bool empty() const { return dims_.empty(); }

  /// Product of all dimensions (1 for a scalar shape).
  int64_t size() const;
  /// Product of all dimensions after the first (the size of one sample).
  int64_t inner_size() const;

  /// The same shape with `batch` prepended.
  Shape with_batch(int64_t batch) const;
  /// The shape without its first dimension.
  Shape without_batch() const;

  bool operator==(const Shape&) const = default;

  /// `(60000, 28, 28)`; a negative dimension prints as `None`; a rank-1 shape as `(5,)`.
  std::string str() const;
  /// Keras's summary style: like str() but rank 1 prints as `(None)` without a trailing comma.
  std::string keras_str() const;

 private:
  std::vector<int64_t> dims_;
};

std::string to_string(const Shape& s);
std::ostream& operator<<(std::ostream& os, const Shape& s);

}  // namespace keras
