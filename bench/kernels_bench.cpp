// The first model's kernels, kerascpp's hand-written ones against OpenBLAS, on the model's own
// shapes (batch 32, 784 -> 128 -> 10), one thread. Each figure is the best of many short runs,
// which filters out the noise of a shared machine. See docs/performance.md.
//
//   kernels_bench [--threads N] [--quick]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <keras/keras.hpp>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

using keras::kernels::Activation;

int trials = 200;  // --quick (CI): 5

// Best time per call, in microseconds, over `trials` runs of `reps` calls.
double best_us(const std::function<void()>& f, int reps) {
  f();
  double best = 1e30;
  for (int t = 0; t < trials; ++t) {
    const double t0 = keras::bench::now();
    for (int r = 0; r < reps; ++r) f();
    best = std::min(best, (keras::bench::now() - t0) / reps * 1e6);
  }
  return best;
}

// 64-byte aligned, as the model's own buffers are.
keras::Tensor random_vector(int64_t n, keras::random::Generator& gen) {
  auto v = keras::Tensor::uninitialized(keras::Shape{n});
  for (float& x : v) x = gen.uniform(-1.0f, 1.0f);
  return v;
}
keras::Tensor zeros(int64_t n) {
  return keras::Tensor(keras::Shape{n});
}

void row(const char* what, double macs, double ours, double blas) {
  std::printf("| %-44s | %8.2f | %6.1f | ", what, ours, 2 * macs / ours / 1e3);
  if (blas > 0)
    std::printf("%8.2f | %6.1f | %5.2fx |\n", blas, 2 * macs / blas / 1e3, blas / ours);
  else
    std::printf("%8s | %6s | %6s |\n", "-", "-", "-");
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--threads" && i + 1 < argc)
      threads = std::stoi(argv[++i]);
    else if (std::string(argv[i]) == "--quick")
      trials = 5;
    else
      keras::bench::usage("kernels_bench", std::string("unknown argument ") + argv[i]);
  }
  keras::config::set_num_threads(threads);
  openblas_set_num_threads(1);  // the BLAS column: OpenBLAS alone, as the old kernels called it
  keras::random::Generator gen(7);
  const int64_t B = 32, in = 784, hid = 128, out = 10;
  auto x = random_vector(B * in, gen), w1 = random_vector(in * hid, gen),
       b1 = random_vector(hid, gen);
  auto w2 = random_vector(hid * out, gen), b2 = random_vector(out, gen);
  auto h = random_vector(B * hid, gen), dz1 = random_vector(B * hid, gen),
       dz2 = random_vector(B * out, gen);
  auto y1 = zeros(B * hid), y2 = zeros(B * out), dw1 = zeros(in * hid), db1 = zeros(hid);
  auto dw2 = zeros(hid * out), db2 = zeros(out), dh = zeros(B * hid);
  namespace k = keras::kernels;

  // What the kernels did before issue 8: bias copy + sgemm(beta=1) + a ReLU pass ...
  auto blas_forward = [&](const float* xx, const float* w, const float* b, float* y, int64_t n_in,
                          int64_t n_out, bool relu) {
    for (int64_t i = 0; i < B; ++i) std::copy(b, b + n_out, y + i * n_out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(B), int(n_out), int(n_in), 1.0f, xx,
                int(n_in), w, int(n_out), 1.0f, y, int(n_out));
    if (relu)
      for (int64_t i = 0; i < B * n_out; ++i) y[i] = std::max(y[i], 0.0f);
  };

  // ... and dW = x^T dz by sgemm, db by a loop, dx = dz W^T by sgemm (when dx is wanted).
  auto blas_backward = [&](const float* xx, const float* w, const float* dz, float* dw, float* db,
                           float* dx, int64_t n_in, int64_t n_out) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(n_in), int(n_out), int(B), 1.0f, xx,
                int(n_in), dz, int(n_out), 0.0f, dw, int(n_out));
    std::fill(db, db + n_out, 0.0f);
    for (int64_t i = 0; i < B; ++i)
      for (int64_t j = 0; j < n_out; ++j) db[j] += dz[i * n_out + j];
    if (dx)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(B), int(n_in), int(n_out), 1.0f, dz,
                  int(n_out), w, int(n_out), 0.0f, dx, int(n_in));
  };

  std::printf(
      "| kernel (batch 32, %d thread%s) | kerascpp us | GFLOP/s | OpenBLAS us | GFLOP/s | speed-up "
      "|\n",
      threads, threads > 1 ? "s" : "");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  // The model's two Dense layers: forward with their activation, backward with dx only for the
  // second (the first layer's input gradient is never needed).
  struct DenseCase {
    const char* name;
    const float *x, *w, *b, *dz;
    float *y, *dw, *db, *dx;
    int64_t in, out;
    Activation act;
    int reps;
  };
  const DenseCase cases[] = {
      {"784->128", x.data(), w1.data(), b1.data(), dz1.data(), y1.data(), dw1.data(), db1.data(),
       nullptr, in, hid, Activation::relu, 20},
      {"128->10", h.data(), w2.data(), b2.data(), dz2.data(), y2.data(), dw2.data(), db2.data(),
       dh.data(), hid, out, Activation::linear, 200}};
  for (const DenseCase& c : cases) {
    const bool relu = c.act == Activation::relu;
    const double macs = double(B * c.in * c.out);
    row((std::string("Dense ") + c.name + " forward, bias" + (relu ? "+ReLU" : "")).c_str(), macs,
        best_us([&] { k::dense_forward(c.x, c.w, c.b, c.y, B, c.in, c.out, c.act); }, c.reps),
        best_us([&] { blas_forward(c.x, c.w, c.b, c.y, c.in, c.out, relu); }, c.reps));
    row((std::string("Dense ") + c.name + " backward: dW, db" + (c.dx ? ", dx" : "")).c_str(),
        c.dx ? 2 * macs : macs,
        best_us([&] { k::dense_backward(c.x, c.w, c.dz, c.dw, c.db, c.dx, B, c.in, c.out); },
                c.reps),
        best_us([&] { blas_backward(c.x, c.w, c.dz, c.dw, c.db, c.dx, c.in, c.out); }, c.reps));
  }

  // Adam over every parameter of the model (memory-bound: 7 floats of traffic per parameter).
  const int64_t n = in * hid + hid + hid * out + out;
  auto p = random_vector(n, gen), g = random_vector(n, gen), m = zeros(n), v = zeros(n);
  const double adam_fast = best_us(
      [&] {
        k::adam_update(p.data(), g.data(), m.data(), v.data(), n, 1e-3f, 0.9f, 0.999f, 1e-7f);
      },
      5);
  std::printf(
      "\n| Adam over %lld parameters | kerascpp %.1f us (%.1f GB/s of weight, slot and gradient "
      "traffic) |\n",
      static_cast<long long>(n), adam_fast, 7.0 * 4 * double(n) / adam_fast / 1e3);
  // One whole training step of the model (train_on_batch on one batch, already gathered).
  {
    using namespace keras::layers;
    keras::utils::set_random_seed(1);
    keras::Sequential model{Dense(hid, "relu", {.input_shape = keras::Shape{in}}), Dropout(0.2),
                            Dense(out, "softmax")};
    model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
    auto labels = zeros(B);
    for (int64_t i = 0; i < B; ++i) labels[i] = float(i % out);
    const double flops = 2.0 * (2 * B * (in * hid + hid * out) + B * hid * out);
    std::printf(
        "\n| whole step, batch 32 | train_on_batch us | GFLOP/s (dense count) | inference forward "
        "us | images/s |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    // An MNIST batch has ~40% of its pixels zero in all 32 images, which the kernels skip.
    auto sparse = x.copy();
    for (int64_t k = 0; k < in; ++k)
      if (k % 5 < 2)
        for (int64_t b = 0; b < B; ++b) sparse[b * in + k] = 0.0f;
    for (const auto* input : {&x, &sparse}) {
      const double step =
          best_us([&] { model.train_on_batch(input->data(), labels.data(), B); }, 20);
      const double infer = best_us([&] { model.forward(input->data(), B, false); }, 20);
      std::printf("| %s | %.1f | %.1f | %.1f | %.0f |\n",
                  input == &x ? "dense input" : "40% of the features zero", step,
                  flops / step / 1e3, infer, double(B) / infer * 1e6);
    }
  }
  std::printf("\npeak single-thread SGEMM (OpenBLAS 512^3): %.1f GFLOP/s\n",
              keras::bench::peak_sgemm_gflops());
  return 0;
}
