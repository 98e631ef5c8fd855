// The fast CPU kernels (hand-written AVX2/FMA, BLAS split over the pool) against the reference
// kernels, over odd shapes: rows that are not a multiple of the 4-row tile, columns that are not
// a multiple of 8 or 16, K shorter and longer than one K block, 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <keras/keras.hpp>
#include <set>
#include <vector>

namespace {

namespace k = keras::kernels;
using keras::kernels::Activation;

std::vector<float> random_values(int64_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  keras::random::Generator gen(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = gen.uniform(lo, hi);
  return v;
}

// Restores the thread setting a test changed.
class Threads {
 public:
  explicit Threads(int n) { keras::config::set_num_threads(n); }
  ~Threads() { keras::config::set_num_threads(0); }
};

// |a - b| within a tolerance scaled by the size of the terms summed (`scale`).
void expect_close(const std::vector<float>& fast, const std::vector<float>& ref, double scale,
                  const std::string& what) {
  ASSERT_EQ(fast.size(), ref.size());
  for (size_t i = 0; i < fast.size(); ++i)
    ASSERT_NEAR(fast[i], ref[i], 2e-6 * scale + 1e-6) << what << " at " << i;
}

struct DenseShape {
  int64_t B, in, out;
};
const DenseShape kShapes[] = {{1, 1, 1},     {3, 5, 7},     {4, 8, 8},     {5, 17, 9},
                              {7, 64, 16},   {9, 65, 17},   {31, 130, 33}, {32, 784, 128},
                              {33, 100, 10}, {65, 129, 24}, {2, 300, 70}};

class FastKernels : public ::testing::TestWithParam<int> {};

// x[B, in] with ~40% of its features zero in every row (runs and isolated ones, like MNIST's
// borders), which the kernels skip.
std::vector<float> with_zero_features(std::vector<float> x, int64_t B, int64_t in) {
  for (int64_t k = 0; k < in; ++k)
    if (k < in / 5 || k % 5 == 2 || (k > in / 2 && k % 7 == 0))
      for (int64_t b = 0; b < B; ++b) x[size_t(b * in + k)] = (b % 2) ? 0.0f : -0.0f;
  return x;
}

TEST_P(FastKernels, DenseForwardMatchesReference) {
  Threads threads(GetParam());
  for (const auto& s : kShapes)
    for (Activation act :
         {Activation::linear, Activation::relu, Activation::softmax, Activation::tanh})
      for (bool bias : {true, false})
        for (bool sparse : {false, true}) {
          const auto dense_x = random_values(s.B * s.in, 1);
          const auto x = sparse ? with_zero_features(dense_x, s.B, s.in) : dense_x;
          const auto w = random_values(s.in * s.out, 2), b = random_values(s.out, 3);
          std::vector<float> fast(size_t(s.B * s.out), 99.0f), ref(size_t(s.B * s.out), -99.0f);
          k::dense_forward(x.data(), w.data(), bias ? b.data() : nullptr, fast.data(), s.B, s.in,
                           s.out, act);
          k::reference::dense_forward(x.data(), w.data(), bias ? b.data() : nullptr, ref.data(),
                                      s.B, s.in, s.out, act);
          expect_close(fast, ref, double(s.in),
                       "dense_forward B=" + std::to_string(s.B) + " in=" + std::to_string(s.in) +
                           " out=" + std::to_string(s.out) + " act=" + std::to_string(int(act)) +
                           (sparse ? " with zero features" : ""));
        }
}

TEST_P(FastKernels, DenseBackwardMatchesReference) {
  Threads threads(GetParam());
  for (const auto& s : kShapes)
    for (bool sparse : {false, true}) {
      const auto dense_x = random_values(s.B * s.in, 4);
      const auto x = sparse ? with_zero_features(dense_x, s.B, s.in) : dense_x;
      const auto w = random_values(s.in * s.out, 5), dz = random_values(s.B * s.out, 6);
      std::vector<float> dw(size_t(s.in * s.out), 7.0f), db(size_t(s.out), 7.0f),
          dx(size_t(s.B * s.in), 7.0f);
      auto rdw = dw, rdb = db, rdx = dx;
      k::dense_backward(x.data(), w.data(), dz.data(), dw.data(), db.data(), dx.data(), s.B, s.in,
                        s.out);
      k::reference::dense_backward(x.data(), w.data(), dz.data(), rdw.data(), rdb.data(),
                                   rdx.data(), s.B, s.in, s.out);
      const std::string where = " B=" + std::to_string(s.B) + " in=" + std::to_string(s.in) +
                                " out=" + std::to_string(s.out) +
                                (sparse ? " with zero features" : "");
      expect_close(dw, rdw, double(s.B), "dW" + where);
      expect_close(db, rdb, double(s.B), "db" + where);
      expect_close(dx, rdx, double(s.out), "dx" + where);
      // Without db and dx only dW is written.
      std::vector<float> dw2(dw.size(), 0.0f);
      k::dense_backward(x.data(), w.data(), dz.data(), dw2.data(), nullptr, nullptr, s.B, s.in,
                        s.out);
      EXPECT_EQ(dw2, dw) << where;
    }
}

TEST_P(FastKernels, FusedBackwardReportsEveryFinalGradientOnce) {
  Threads threads(GetParam());
  for (const auto& s : kShapes)
    for (bool sparse : {false, true}) {
      const auto x = sparse ? with_zero_features(random_values(s.B * s.in, 7), s.B, s.in)
                            : random_values(s.B * s.in, 7);
      const auto w = random_values(s.in * s.out, 8), dz = random_values(s.B * s.out, 9);
      std::vector<float> dw(size_t(s.in * s.out)), seen(dw.size(), -1.0f), dx(size_t(s.B * s.in));
      std::vector<int> count(dw.size(), 0);
      struct Record {
        std::vector<float>* dw;
        std::vector<float>* seen;
        std::vector<int>* count;
      } rec{&dw, &seen, &count};
      k::SliceCallback ready{[](void* c, const k::Slice& tile) {
                               auto* r = static_cast<Record*>(c);
                               for (int64_t row = 0; row < tile.rows; ++row)  // disjoint: no race
                                 for (int64_t col = 0; col < tile.cols; ++col) {
                                   const auto i = size_t(tile.offset + row * tile.stride + col);
                                   (*r->seen)[i] = (*r->dw)[i];
                                   ++(*r->count)[i];
                                 }
                             },
                             &rec};
      k::dense_backward(x.data(), w.data(), dz.data(), dw.data(), nullptr, dx.data(), s.B, s.in,
                        s.out, ready);
      for (size_t i = 0; i < dw.size(); ++i) {
        ASSERT_EQ(count[i], 1) << "index " << i << " reported " << count[i] << " times";
        ASSERT_EQ(seen[i], dw[i]) << "index " << i << " reported before its gradient was final";
      }
    }
}

TEST_P(FastKernels, GemmMatchesReferenceForEveryTransposition) {
  Threads threads(GetParam());
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [M, N, K] :
           {std::tuple<int64_t, int64_t, int64_t>{3, 5, 7}, {33, 70, 129}, {200, 90, 64}}) {
        const auto A = random_values(M * K, 10), Bm = random_values(K * N, 11);
        auto C = random_values(M * N, 12), R = C;
        const int64_t lda = ta ? M : K, ldb = tb ? K : N;
        k::gemm(ta, tb, M, N, K, 0.5f, A.data(), lda, Bm.data(), ldb, 2.0f, C.data(), N);
        k::reference::gemm(ta, tb, M, N, K, 0.5f, A.data(), lda, Bm.data(), ldb, 2.0f, R.data(), N);
        expect_close(C, R, double(K),
                     "gemm ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
      }
}

TEST_P(FastKernels, AdamMatchesReference) {
  Threads threads(GetParam());
  for (int64_t n : {1, 7, 8, 9, 1000, 40001}) {
    auto w = random_values(n, 13), m = random_values(n, 14, 0.0f, 0.1f),
         v = random_values(n, 15, 0.0f, 0.01f);
    const auto g = random_values(n, 16);
    auto rw = w, rm = m, rv = v;
    k::adam_update(w.data(), g.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.999f, 1e-7f);
    k::reference::adam_update(rw.data(), g.data(), rm.data(), rv.data(), n, 1e-3f, 0.9f, 0.999f,
                              1e-7f);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NEAR(m[size_t(i)], rm[size_t(i)], 1e-7f) << "n=" << n << " i=" << i;
      ASSERT_NEAR(v[size_t(i)], rv[size_t(i)], 1e-8f) << "n=" << n << " i=" << i;
      ASSERT_NEAR(w[size_t(i)], rw[size_t(i)], 1e-6f) << "n=" << n << " i=" << i;
    }
  }
}

TEST_P(FastKernels, AdamOnASliceMatchesReferenceRowByRow) {
  Threads threads(GetParam());
  const k::Slice slice{5, 7, 13, 20};  // 7 rows of 13 values, 20 apart, from index 5
  const int64_t n = 5 + 7 * 20;
  auto w = random_values(n, 19), m = random_values(n, 20, 0.0f, 0.1f),
       v = random_values(n, 21, 0.0f, 0.01f);
  const auto g = random_values(n, 22);
  auto rw = w, rm = m, rv = v;
  k::adam_update(w.data(), g.data(), m.data(), v.data(), slice, 1e-3f, 0.9f, 0.999f, 1e-7f);
  for (int64_t r = 0; r < slice.rows; ++r) {
    const int64_t o = slice.offset + r * slice.stride;
    k::reference::adam_update(rw.data() + o, g.data() + o, rm.data() + o, rv.data() + o, slice.cols,
                              1e-3f, 0.9f, 0.999f, 1e-7f);
  }
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_NEAR(w[size_t(i)], rw[size_t(i)], 1e-6f) << i;  // outside the slice: untouched
    ASSERT_NEAR(m[size_t(i)], rm[size_t(i)], 1e-7f) << i;
  }
}

TEST_P(FastKernels, GatherRowsCopiesTheIndexedRows) {
  Threads threads(GetParam());
  for (int64_t cols : {1, 7, 784, 1000}) {
    const int64_t n = 50, rows = 33;
    const auto src = random_values(n * cols, 23);
    std::vector<int64_t> index(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) index[size_t(r)] = (r * 17) % n;
    std::vector<float> dst(size_t(rows * cols), -1.0f);
    k::gather_rows(src.data(), index.data(), rows, cols, dst.data());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        ASSERT_EQ(dst[size_t(r * cols + c)], src[size_t(index[size_t(r)] * cols + c)])
            << r << "," << c;
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, FastKernels, ::testing::Values(1, 2),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::to_string(p.param) + "_threads";
                         });

TEST(FastKernels, DropoutIsTheReferenceStreamBitForBit) {
  for (int64_t n : {1, 7, 8, 9, 4096, 4099})
    for (float keep : {0.0f, 0.2f, 0.8f, 1.0f}) {
      const auto x = random_values(n, 17);
      std::vector<float> y(static_cast<size_t>(n)), mask(y), ry(y), rmask(y);
      k::dropout_forward(x.data(), y.data(), mask.data(), n, keep, 1234);
      k::reference::dropout_forward(x.data(), ry.data(), rmask.data(), n, keep, 1234);
      ASSERT_EQ(mask, rmask) << "n=" << n << " keep=" << keep;
      ASSERT_EQ(y, ry) << "n=" << n << " keep=" << keep;
    }
}

TEST(FastKernels, DropoutKeepsTheRightFraction) {
  const int64_t n = 1 << 16;
  const auto x = random_values(n, 18);
  std::vector<float> y(static_cast<size_t>(n)), mask(y);
  k::dropout_forward(x.data(), y.data(), mask.data(), n, 0.8f, 99);
  int64_t kept = 0;
  for (float m : mask) {
    ASSERT_TRUE(m == 0.0f || m == 1.25f) << m;
    kept += m != 0.0f;
  }
  EXPECT_NEAR(double(kept) / double(n), 0.8, 0.01);
}

}  // namespace
