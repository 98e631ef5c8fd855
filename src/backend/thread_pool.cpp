// A fixed pool of worker threads woken per parallel_for call. Workers spin briefly before
// sleeping, because the training loop issues many small parallel regions back to back.
#include "keras/backend/thread_pool.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "keras/config.hpp"
#include "keras/core/error.hpp"

#if __has_include(<cblas.h>) && defined(KERASCPP_HAVE_OPENBLAS)
extern "C" void openblas_set_num_threads(int);
#define KERASCPP_SET_BLAS_THREADS(n) openblas_set_num_threads(n)
#else
#define KERASCPP_SET_BLAS_THREADS(n) (void)(n)
#endif

namespace keras {
namespace backend {

int available_cores() {
  int cores = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    cores = std::max(1, CPU_COUNT(&set));
  else
    cores = std::max(1u, std::thread::hardware_concurrency());
  // cgroup v2: "max 100000" or "200000 100000"
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long period = 0;
  if (v2 >> quota >> period && quota != "max" && period > 0) {
    long q = std::atol(quota.c_str());
    if (q > 0) cores = std::min<int>(cores, std::max<long>(1, (q + period - 1) / period));
  } else {
    std::ifstream q1("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), p1("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    long q = -1, p = 0;
    if (q1 >> q && p1 >> p && q > 0 && p > 0)
      cores = std::min<int>(cores, std::max<long>(1, (q + p - 1) / p));
  }
  return cores;
}

namespace {

class ThreadPool {
 public:
  ~ThreadPool() { resize(0); }

  void resize(int workers) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_ = false;
    // New workers start from the current generation: an older one's task is gone.
    const uint64_t start = generation_.load();
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, i, start] { loop(i + 1, start); });
  }
  int workers() const { return static_cast<int>(threads_.size()); }

  void run(int chunks, const std::function<void(int)>& task) {
    std::unique_lock call_lock(call_mutex_);  // one parallel region at a time
    {
      // Task, chunk count and generation change together, so a worker never pairs one
      // region's generation with another region's task.
      std::lock_guard lock(mutex_);
      task_ = &task;
      chunks_ = chunks;
      remaining_.store(chunks - 1, std::memory_order_relaxed);
      ++generation_;
    }
    wake_.notify_all();
    task(0);
    // Spin, then yield, until the other chunks are done.
    for (int spins = 0; remaining_.load(std::memory_order_acquire) > 0; ++spins)
      if (spins > 1000) std::this_thread::yield();
    std::lock_guard lock(mutex_);
    task_ = nullptr;
  }

 private:
  void loop(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int)>* task = nullptr;
      int chunks = 0;
      // Spin a little before sleeping: the next region usually follows within microseconds.
      for (int spins = 0; spins < 20000 && generation_.load(std::memory_order_acquire) == seen; ++spins)
        std::this_thread::yield();
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen || stop_; });
        if (stop_) return;
        seen = generation_.load();
        task = task_;
        chunks = chunks_;
      }
      if (index < chunks && task) {
        (*task)(index);
        remaining_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_, call_mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  const std::function<void(int)>* task_ = nullptr;
  int chunks_ = 0;
  bool stop_ = false;
};

struct Settings {
  std::mutex mutex;
  int threads = 0;  // 0: not resolved yet
  ThreadPool pool;
};
Settings& settings() {
  static Settings s;
  return s;
}

int default_threads() {
  if (const char* env = std::getenv("KERASCPP_NUM_THREADS"); env && *env) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (*end != '\0' || n < 1 || n > 4096)
      throw ValueError("KERASCPP_NUM_THREADS='" + std::string(env) +
                       "' is not a positive whole number; set it to e.g. 1 or 2, or unset it");
    return static_cast<int>(n);
  }
  return available_cores();
}

void apply_threads(Settings& s, int n) {
  s.threads = n;
  s.pool.resize(n - 1);
  KERASCPP_SET_BLAS_THREADS(n);
}

}  // namespace

int parallel_chunks(int64_t n, int64_t grain) {
  const int threads = config::num_threads();
  if (n <= 0) return 0;
  return static_cast<int>(std::clamp<int64_t>(n / std::max<int64_t>(1, grain), 1, threads));
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  const int chunks = parallel_chunks(n, grain);
  if (chunks <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  const int64_t per = n / chunks, extra = n % chunks;
  auto bounds = [&](int c) {
    const int64_t b = c * per + std::min<int64_t>(c, extra);
    return std::pair{b, b + per + (c < extra ? 1 : 0)};
  };
  settings().pool.run(chunks, [&](int c) {
    auto [b, e] = bounds(c);
    fn(b, e);
  });
}

}  // namespace backend

void config::set_num_threads(int n) {
  auto& s = backend::settings();
  std::lock_guard lock(s.mutex);
  backend::apply_threads(s, n > 0 ? n : backend::default_threads());
}

int config::num_threads() {
  auto& s = backend::settings();
  std::lock_guard lock(s.mutex);
  if (s.threads == 0) backend::apply_threads(s, backend::default_threads());
  return s.threads;
}

}  // namespace keras
