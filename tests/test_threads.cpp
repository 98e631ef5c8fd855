// The thread setting (keras::config::set_num_threads, KERASCPP_NUM_THREADS), the pool
// (parallel_tasks / parallel_for), and determinism: the same seed gives bit-identical training
// for a given thread count.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <keras/keras.hpp>
#include <thread>
#include <vector>

namespace {

// Restores the default thread setting (and the environment) a test changed.
struct RestoreThreads {
  ~RestoreThreads() {
    unsetenv("KERASCPP_NUM_THREADS");
    keras::config::set_num_threads(0);
  }
};

TEST(Threads, SetNumThreadsAndTheEnvironment) {
  RestoreThreads restore;
  keras::config::set_num_threads(3);
  EXPECT_EQ(keras::config::num_threads(), 3);
  setenv("KERASCPP_NUM_THREADS", "2", 1);
  keras::config::set_num_threads(0);  // back to the default: the environment wins
  EXPECT_EQ(keras::config::num_threads(), 2);
  unsetenv("KERASCPP_NUM_THREADS");
  keras::config::set_num_threads(0);
  EXPECT_EQ(keras::config::num_threads(), keras::backend::available_cores());
  setenv("KERASCPP_NUM_THREADS", "two", 1);
  EXPECT_THROW(keras::config::set_num_threads(0), keras::ValueError);
}

TEST(Threads, AvailableCoresFollowsTheAffinityMask) {
  const int all = keras::backend::available_cores();
  EXPECT_GE(all, 1);
  EXPECT_LE(all, static_cast<int>(std::thread::hardware_concurrency()));
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof saved, &saved), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &saved)) {
      CPU_SET(c, &one);
      break;
    }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(keras::backend::available_cores(), 1);
  ASSERT_EQ(sched_setaffinity(0, sizeof saved, &saved), 0);
}

TEST(Threads, EveryTaskRunsExactlyOnce) {
  RestoreThreads restore;
  for (int threads : {1, 2, 4}) {
    keras::config::set_num_threads(threads);
    for (int round = 0; round < 200; ++round) {  // many short regions back to back
      const int64_t tasks = 1 + round % 37;
      std::vector<std::atomic<int>> runs(static_cast<size_t>(tasks));
      keras::backend::parallel_tasks(tasks, [&](int64_t t) { runs[size_t(t)].fetch_add(1); });
      for (int64_t t = 0; t < tasks; ++t) ASSERT_EQ(runs[size_t(t)].load(), 1) << "task " << t;
    }
  }
}

TEST(Threads, NestedRegionsRunInline) {
  RestoreThreads restore;
  keras::config::set_num_threads(2);
  std::atomic<int> inner{0};
  keras::backend::parallel_tasks(
      4, [&](int64_t) { keras::backend::parallel_tasks(3, [&](int64_t) { inner.fetch_add(1); }); });
  EXPECT_EQ(inner.load(), 12);
}

TEST(Threads, ParallelForCoversTheRangeInChunks) {
  RestoreThreads restore;
  keras::config::set_num_threads(2);
  std::vector<std::atomic<int>> hits(1001);
  keras::backend::parallel_for(1001, 10, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) hits[size_t(i)].fetch_add(1);
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  EXPECT_EQ(keras::backend::parallel_chunks(1001, 10), 2);
  EXPECT_EQ(keras::backend::parallel_chunks(5, 10), 1);
}

// A small MLP big enough for the kernels to split their work over the pool.
std::vector<keras::Tensor> train(uint64_t seed, int threads, bool fused) {
  keras::config::set_num_threads(threads);
  keras::utils::set_random_seed(seed);
  keras::random::Generator gen(42);
  keras::Tensor x = keras::Tensor::uninitialized(keras::Shape{256, 300});
  keras::Tensor y = keras::Tensor::uninitialized(keras::Shape{256});
  for (float& v : x) v = gen.uniform();
  for (int64_t i = 0; i < 256; ++i) y[i] = float(gen.below(10));
  using namespace keras::layers;
  keras::Sequential model{Dense(160, "relu", {.input_shape = keras::Shape{300}}), Dropout(0.2),
                          Dense(10, "softmax")};
  // The same Adam through apply() (one pass after backward) instead of the fused slices.
  class UnfusedAdam : public keras::optimizers::Optimizer {
   public:
    UnfusedAdam() : Optimizer("adam", 1e-3f) {}
    std::string class_name() const override { return "Adam"; }
    std::vector<std::string> slot_names() const override { return inner_->slot_names(); }
    void apply(float* p, const float* g, int64_t n) override {
      if (!inner_->built()) inner_->build(n);
      inner_->apply(p, g, n);
    }

   private:
    keras::optimizers::OptimizerPtr inner_ = keras::optimizers::Adam{}.make();
  };
  keras::models::OptimizerHandle opt =
      fused ? keras::models::OptimizerHandle("adam")
            : keras::models::OptimizerHandle(std::make_shared<UnfusedAdam>());
  model.compile(opt, "sparse_categorical_crossentropy", {"accuracy"});
  // 6 epochs: over 200 parallel regions, so the pool's timing probe runs some of them solo (on
  // the calling thread alone), at different points in different runs.
  model.fit(x, y, {.epochs = 6, .batch_size = 32, .validation_split = 0.25, .verbose = 0});
  return model.get_weights();
}

void expect_identical(const std::vector<keras::Tensor>& a, const std::vector<keras::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(a[i].equals(b[i])) << "weight " << i << " differs";
}

TEST(Determinism, SameSeedSameThreadsIsBitIdentical) {
  RestoreThreads restore;
  expect_identical(train(7, 1, true), train(7, 1, true));
  expect_identical(train(7, 2, true), train(7, 2, true));
}

TEST(Determinism, OneAndTwoThreadsAgreeClosely) {
  // Two threads sum a Dense layer's products in two halves (each core over the weights it owns),
  // so the last bits may differ from one thread's; the training must not.
  RestoreThreads restore;
  const auto a = train(7, 1, true), b = train(7, 2, true);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (int64_t j = 0; j < a[i].size(); ++j)
      ASSERT_NEAR(a[i][j], b[i][j], 1e-4f) << "weight " << i << "[" << j << "]";
}

TEST(Determinism, FusedOptimizerStepEqualsTheSeparatePass) {
  RestoreThreads restore;
  expect_identical(train(7, 1, true), train(7, 1, false));
}

}  // namespace
