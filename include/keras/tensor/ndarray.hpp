// NDArray<T>: an n-d, row-major, 64-byte-aligned array with numpy-like value semantics for the
// parts the tutorial uses (astype, scalar arithmetic, x[:5], argmax, printing).
//
// Storage is shared: copies and slices are views of the same buffer, as in numpy. Use copy()
// for an independent array.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/error.hpp"
#include "keras/tensor/dtype.hpp"
#include "keras/tensor/shape.hpp"

namespace keras {

namespace detail {
/// Allocates `count` elements aligned to 64 bytes (a cache line; AVX-512 friendly).
template <class T>
std::shared_ptr<T[]> aligned_buffer(int64_t count) {
  size_t bytes = std::max<size_t>(64, (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64);
  void* p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  return std::shared_ptr<T[]>(static_cast<T*>(p), [](T* q) { std::free(q); });
}
[[noreturn]] void throw_value_error(const std::string& message);
std::string format_array(const double* values, int64_t count, const Shape& shape, bool integral);
}  // namespace detail

template <ArrayElement T>
class NDArray {
 public:
  using value_type = T;

  NDArray() = default;
  /// Zero-filled array of the given shape.
  explicit NDArray(Shape shape) : NDArray(std::move(shape), T{}) {}
  NDArray(Shape shape, T fill) : shape_(std::move(shape)) {
    for (int64_t d : shape_)
      if (d < 0) detail::throw_value_error("NDArray: negative dimension in shape " + shape_.str());
    storage_ = detail::aligned_buffer<T>(shape_.size());
    std::fill_n(storage_.get(), shape_.size(), fill);
  }
  /// Array of the given shape holding `values` (whose size must match).
  NDArray(Shape shape, const std::vector<T>& values) : NDArray(std::move(shape)) {
    if (static_cast<int64_t>(values.size()) != size())
      detail::throw_value_error("NDArray: " + std::to_string(values.size()) +
                                " values do not fill shape " + shape_.str());
    std::copy(values.begin(), values.end(), data());
  }
  /// Uninitialised array: for buffers that are written in full right away.
  static NDArray uninitialized(Shape shape) {
    NDArray a;
    a.shape_ = std::move(shape);
    a.storage_ = detail::aligned_buffer<T>(a.shape_.size());
    return a;
  }

  const Shape& shape() const { return shape_; }
  size_t ndim() const { return shape_.rank(); }
  int64_t size() const { return shape_.size(); }
  bool empty() const { return size() == 0; }
  static constexpr std::string_view dtype() { return dtype_name<T>(); }

  T* data() { return storage_.get() + offset_; }
  const T* data() const { return storage_.get() + offset_; }
  std::span<T> flat() { return {data(), static_cast<size_t>(size())}; }
  std::span<const T> flat() const { return {data(), static_cast<size_t>(size())}; }
  T* begin() { return data(); }
  T* end() { return data() + size(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }

  /// Element by flat (row-major) index.
  T& operator[](int64_t i) { return data()[i]; }
  const T& operator[](int64_t i) const { return data()[i]; }
  /// Element by multi-index, bounds-checked.
  T& at(std::initializer_list<int64_t> index) { return data()[flat_index(index)]; }
  const T& at(std::initializer_list<int64_t> index) const { return data()[flat_index(index)]; }

  /// Rows [begin, end) of the first axis as a view (numpy's `x[begin:end]`); negative indices
  /// count from the end and out-of-range bounds are clamped, as in Python.
  NDArray slice(int64_t begin, int64_t end) const {
    if (shape_.rank() == 0) detail::throw_value_error("NDArray::slice: cannot slice a scalar");
    const int64_t n = shape_[0];
    auto clamp = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
    begin = clamp(begin);
    end = std::max(begin, clamp(end));
    NDArray view = *this;
    view.shape_[0] = end - begin;
    view.offset_ = offset_ + begin * shape_.inner_size();
    return view;
  }
  /// The first n rows (`x[:n]`).
  NDArray head(int64_t n) const { return slice(0, n); }

  /// Same data, new shape (a view). One dimension may be -1 and is inferred.
  NDArray reshape(Shape new_shape) const {
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < new_shape.rank(); ++i) {
      if (new_shape[i] == -1) {
        if (infer >= 0) detail::throw_value_error("NDArray::reshape: more than one -1 dimension");
        infer = static_cast<int64_t>(i);
      } else {
        known *= new_shape[i];
      }
    }
    if (infer >= 0 && known > 0) new_shape[infer] = size() / known;
    if (new_shape.size() != size())
      detail::throw_value_error("NDArray::reshape: cannot reshape array of size " +
                                std::to_string(size()) + " into shape " + new_shape.str());
    NDArray view = *this;
    view.shape_ = std::move(new_shape);
    return view;
  }

  /// An independent copy.
  NDArray copy() const {
    NDArray out = uninitialized(shape_);
    std::copy(begin(), end(), out.data());
    return out;
  }

  /// Element-wise conversion (numpy's astype): `x.astype<float>()`.
  template <ArrayElement U>
  NDArray<U> astype() const {
    NDArray<U> out = NDArray<U>::uninitialized(shape_);
    const T* src = data();
    U* dst = out.data();
    for (int64_t i = 0, n = size(); i < n; ++i) dst[i] = static_cast<U>(src[i]);
    return out;
  }

  /// Index of the largest element along `axis` (first one on ties), as numpy's argmax.
  NDArray<int64_t> argmax(int axis = -1) const {
    const int r = static_cast<int>(ndim());
    if (r == 0) detail::throw_value_error("argmax: array is a scalar");
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r)
      detail::throw_value_error("argmax: axis " + std::to_string(axis) +
                                " is out of bounds for array of dimension " + std::to_string(r));
    if (shape_[axis] == 0)
      detail::throw_value_error("argmax: attempt to get argmax of an empty sequence");
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= shape_[i];
    for (int i = axis + 1; i < r; ++i) inner *= shape_[i];
    const int64_t n = shape_[axis];
    std::vector<int64_t> dims;
    for (int i = 0; i < r; ++i)
      if (i != axis) dims.push_back(shape_[i]);
    NDArray<int64_t> out(Shape(std::move(dims)));
    const T* src = data();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        const T* p = src + o * n * inner + in;
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k)
          if (p[k * inner] > p[best * inner]) best = k;
        out[o * inner + in] = best;
      }
    return out;
  }

  // Element-wise arithmetic with a scalar. Results keep the array's dtype, as numpy does when
  // a float32 array is divided by a Python float.
  NDArray& operator+=(T s) {
    return apply([s](T v) { return static_cast<T>(v + s); });
  }
  NDArray& operator-=(T s) {
    return apply([s](T v) { return static_cast<T>(v - s); });
  }
  NDArray& operator*=(T s) {
    return apply([s](T v) { return static_cast<T>(v * s); });
  }
  NDArray& operator/=(T s) {
    return apply([s](T v) { return static_cast<T>(v / s); });
  }
  friend NDArray operator+(const NDArray& a, T s) { return a.copy() += s; }
  friend NDArray operator-(const NDArray& a, T s) { return a.copy() -= s; }
  friend NDArray operator*(const NDArray& a, T s) { return a.copy() *= s; }
  friend NDArray operator/(const NDArray& a, T s) { return a.copy() /= s; }
  // A temporary nobody else shares (`x.astype<float>() / 255.0f`) is reused in place: no
  // second copy of a data set. A shared one is copied, so no other view ever changes.
  friend NDArray operator+(NDArray&& a, T s) { return reusable(std::move(a)) += s; }
  friend NDArray operator-(NDArray&& a, T s) { return reusable(std::move(a)) -= s; }
  friend NDArray operator*(NDArray&& a, T s) { return reusable(std::move(a)) *= s; }
  friend NDArray operator/(NDArray&& a, T s) { return reusable(std::move(a)) /= s; }

  /// Element-wise equality of shape and values.
  bool equals(const NDArray& other) const {
    return shape_ == other.shape_ && std::equal(begin(), end(), other.begin());
  }

  /// numpy-style text: `[7 2 1 0 4]`, nested brackets for more dimensions.
  std::string str() const {
    std::vector<double> values(begin(), end());
    return detail::format_array(values.data(), size(), shape_, !std::is_floating_point_v<T>);
  }
  friend std::ostream& operator<<(std::ostream& os, const NDArray& a) { return os << a.str(); }

 private:
  template <class F>
  NDArray& apply(F f) {
    for (T& v : *this) v = f(v);
    return *this;
  }
  static NDArray reusable(NDArray&& a) {
    return a.storage_.use_count() == 1 ? std::move(a) : a.copy();
  }
  int64_t flat_index(std::initializer_list<int64_t> index) const {
    if (index.size() != shape_.rank())
      detail::throw_value_error("NDArray::at: " + std::to_string(index.size()) +
                                " indices for an array of dimension " + std::to_string(ndim()));
    int64_t flat = 0;
    size_t axis = 0;
    for (int64_t i : index) {
      if (i < 0 || i >= shape_[axis])
        detail::throw_value_error("NDArray::at: index " + std::to_string(i) +
                                  " is out of bounds for axis " + std::to_string(axis) +
                                  " with size " + std::to_string(shape_[axis]));
      flat = flat * shape_[axis++] + i;
    }
    return flat;
  }

  Shape shape_;
  std::shared_ptr<T[]> storage_;
  int64_t offset_ = 0;
};

using Tensor = NDArray<float>;       ///< float32 array: inputs, activations, predictions
using ByteArray = NDArray<uint8_t>;  ///< uint8 array: raw images and labels

}  // namespace keras
