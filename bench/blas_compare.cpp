// Which BLAS runs the first model's matrix products faster: OpenBLAS (cblas_sgemm) or oneDNN
// (dnnl_sgemm)? Times the six products of one training step of the tutorial MLP (batch 32),
// alternating the two libraries, single-threaded.
//
//   OMP_NUM_THREADS=1 ./build/bench/blas_compare [rounds]
// (oneDNN's OpenMP runtime reads OMP_NUM_THREADS when the program starts.)
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace {

struct Gemm {
  const char* what;
  bool ta, tb;
  int M, N, K;
};

// Forward x@W1, h@W2; backward dW2 = h^T dz, dh = dz W2^T, dW1 = x^T dh (dx is not needed).
const Gemm kStep[] = {
    {"x[32,784] @ W1[784,128]", false, false, 32, 128, 784},
    {"h[32,128] @ W2[128,10]", false, false, 32, 10, 128},
    {"h^T @ dz -> dW2[128,10]", true, false, 128, 10, 32},
    {"dz @ W2^T -> dh[32,128]", false, true, 32, 128, 10},
    {"x^T @ dh -> dW1[784,128]", true, false, 784, 128, 32},
};

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class F>
double time_per_call(F f, int reps) {
  f();
  const double t0 = seconds();
  for (int i = 0; i < reps; ++i) f();
  return (seconds() - t0) / reps;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 3;
  openblas_set_num_threads(1);
  if (const char* omp = std::getenv("OMP_NUM_THREADS"); !omp || std::string(omp) != "1")
    std::fprintf(stderr,
                 "warning: run with OMP_NUM_THREADS=1 so that oneDNN uses one thread too\n");
  std::vector<float> A(784 * 128, 0.5f), B(784 * 128, 0.25f), C(784 * 128);
  std::printf("%-28s %12s %12s %8s\n", "product (one training step)", "OpenBLAS us", "oneDNN us",
              "ratio");
  double total_blas = 0, total_dnnl = 0;
  for (const auto& g : kStep) {
    const int lda = g.ta ? g.M : g.K, ldb = g.tb ? g.K : g.N;
    double best_blas = 1e9, best_dnnl = 1e9;
    for (int r = 0; r < rounds; ++r) {  // A B A B: the machine is noisy
      best_blas = std::min(best_blas,
                           time_per_call(
                               [&] {
                                 cblas_sgemm(CblasRowMajor, g.ta ? CblasTrans : CblasNoTrans,
                                             g.tb ? CblasTrans : CblasNoTrans, g.M, g.N, g.K, 1.0f,
                                             A.data(), lda, B.data(), ldb, 0.0f, C.data(), g.N);
                               },
                               2000));
      best_dnnl = std::min(best_dnnl, time_per_call(
                                          [&] {
                                            dnnl_sgemm(g.ta ? 'T' : 'N', g.tb ? 'T' : 'N', g.M, g.N,
                                                       g.K, 1.0f, A.data(), lda, B.data(), ldb,
                                                       0.0f, C.data(), g.N);
                                          },
                                          2000));
    }
    total_blas += best_blas;
    total_dnnl += best_dnnl;
    std::printf("%-28s %12.2f %12.2f %8.2f\n", g.what, best_blas * 1e6, best_dnnl * 1e6,
                best_dnnl / best_blas);
  }
  std::printf("%-28s %12.2f %12.2f %8.2f\n", "total per step", total_blas * 1e6, total_dnnl * 1e6,
              total_dnnl / total_blas);
  std::printf("(ratio = oneDNN time / OpenBLAS time; > 1 means OpenBLAS is faster)\n");
}
