// A fixed pool of worker threads. A parallel region publishes a task function and a task count;
// the caller and the workers claim tasks with a compare-and-swap on words that also carry the
// region's number, so a worker that wakes up late can never run a task of a region that has
// ended. Workers spin (with pause) for a while after each region, because the training loop issues
// small regions microseconds apart, then sleep on a futex (C++20 atomic wait).
#include "keras/backend/thread_pool.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KERASCPP_PAUSE() _mm_pause()
#else
#define KERASCPP_PAUSE() std::atomic_signal_fence(std::memory_order_seq_cst)
#endif

#include "fp_env.hpp"
#include "keras/config.hpp"
#include "keras/core/error.hpp"

#if defined(KERASCPP_HAVE_OPENBLAS)
extern "C" void openblas_set_num_threads(int);
#define KERASCPP_SET_BLAS_THREADS(n) openblas_set_num_threads(n)
#else
#define KERASCPP_SET_BLAS_THREADS(n) (void)(n)
#endif

namespace keras {
namespace backend {

// ---- available_cores -------------------------------------------------------------------------
namespace {

// CPUs granted by a cgroup directory's quota (v2 cpu.max or v1 cfs files), if it sets one.
std::optional<int> quota_cores(const std::filesystem::path& dir) {
  long quota = -1, period = 0;
  if (std::ifstream v2(dir / "cpu.max"); v2) {
    std::string q;
    if (v2 >> q >> period && q != "max") quota = std::atol(q.c_str());
  } else {
    std::ifstream q1(dir / "cpu.cfs_quota_us"), p1(dir / "cpu.cfs_period_us");
    if (!(q1 >> quota && p1 >> period)) quota = -1;
  }
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<int>(std::max<long>(1, (quota + period - 1) / period));
}

// The tightest quota on the process's cgroup or any ancestor (a container may see its cgroup as
// the mount's root, so the mount itself is checked too).
std::optional<int> cgroup_cores() {
  std::ifstream self("/proc/self/cgroup");
  std::optional<int> best;
  auto consider = [&](const std::filesystem::path& mount, std::filesystem::path rel) {
    for (;;) {
      const auto dir = mount / rel.relative_path();
      if (auto q = quota_cores(dir)) best = std::min(best.value_or(*q), *q);
      if (!rel.has_relative_path()) break;
      rel = rel.parent_path();
    }
  };
  for (std::string line; std::getline(self, line);) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::filesystem::path rel = line.substr(b + 1);
    if (controllers.empty()) {
      consider("/sys/fs/cgroup", rel);  // v2 (unified)
      continue;
    }
    std::stringstream list(controllers);
    for (std::string c; std::getline(list, c, ',');)
      if (c == "cpu") {
        consider("/sys/fs/cgroup/cpu", rel);
        consider("/sys/fs/cgroup/cpu,cpuacct", rel);
      }
  }
  return best;
}

}  // namespace

int available_cores() {
  int cores = 1;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    cores = std::max(1, CPU_COUNT(&set));
  else
    cores = std::max(1u, std::thread::hardware_concurrency());
  if (auto q = cgroup_cores()) cores = std::min(cores, *q);
  return cores;
}

// ---- the pool ----------------------------------------------------------------------------------
namespace {

thread_local bool in_region = false;  // nested regions run inline

class ThreadPool {
  using Clock = std::chrono::steady_clock;
  static constexpr auto kJoin = std::chrono::microseconds(20);  // a running worker joins sooner
  static constexpr int kProbe = 96;      // regions timed in each mode when probing (a multiple
                                         // of short cycles of regions: both see the same mix)
  static constexpr int kExploit = 2048;  // regions run in the faster mode before probing again

 public:
  ~ThreadPool() { resize(0); }

  void resize(int workers) {
    std::lock_guard call_lock(call_mutex_);  // waits for a region in flight
    stop_.store(true);
    wake_.fetch_add(1);
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_.store(false);
    ranges_ = std::vector<Range>(static_cast<size_t>(workers) + 1);
    // A worker compares against the count before it was spawned, so it can miss no wake-up.
    const uint32_t seen = wake_.load();
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, seen, i] { loop(seen, i + 1); });
  }
  int workers() const { return static_cast<int>(threads_.size()); }

  // Runs a region on the pool, or on the calling thread alone ("solo") when that has proved
  // faster. On a machine whose other cores are busy with other processes, a worker may get no
  // core, or lose it in the middle of a task while this thread waits for it: two threads are then
  // slower than one. So the pool measures: every kExploit regions it times kProbe regions with
  // the workers and kProbe alone, and runs the next kExploit regions in the faster mode (solo
  // runs the same tasks, so the results do not change). Workers that stop joining regions at all
  // send the pool solo at once.
  void dispatch(int64_t tasks, void (*fn)(void*, int64_t), void* context) {
    std::lock_guard call_lock(call_mutex_);  // one region at a time
    const bool solo_now = phase_ < kProbe ? false : phase_ < 2 * kProbe ? true : solo_;
    const auto start = Clock::now();
    if (solo_now) {
      in_region = true;  // a nested region runs inline, as on a worker
      for (int64_t t = 0; t < tasks; ++t) fn(context, t);
      in_region = false;
    } else {
      run(tasks, fn, context, start);
    }
    const auto took = Clock::now() - start;
    if (phase_ < kProbe)
      timed_[0] += took;
    else if (phase_ < 2 * kProbe)
      timed_[1] += took;
    // Solo only when clearly faster: when a worker merely gets no core, both modes take the same
    // time (this thread takes every task) and noise should not decide.
    if (++phase_ == 2 * kProbe) solo_ = timed_[1] < timed_[0] * 9 / 10;
    if (phase_ >= 2 * kProbe + kExploit) {
      phase_ = 0;
      timed_[0] = timed_[1] = Clock::duration::zero();
    }
  }

 private:
  void run(int64_t tasks, void (*fn)(void*, int64_t), void* context, Clock::time_point opened) {
    const uint64_t region = region_.load(std::memory_order_relaxed) + 1;
    fn_.store(fn, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    fp_mode_.store(fp_mode(), std::memory_order_relaxed);
    tasks_.store(tasks, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    for (size_t p = 0; p < ranges_.size(); ++p)
      ranges_[p].state.store(region << 32 | uint64_t(home_begin(tasks, p)),
                             std::memory_order_release);
    region_.store(region, std::memory_order_release);  // opens the region
    wake_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) wake_.notify_all();
    const int64_t mine = work(0, region);
    // No worker joined the last 16 regions although they lasted long enough for a running one
    // to: the workers lost their cores since the last probe. Solo until the next one.
    if (mine < tasks)
      absent_ = 0;
    else if (Clock::now() - opened > kJoin && ++absent_ >= 16 && phase_ >= 2 * kProbe)
      solo_ = true;
    // Wait for the tasks the workers claimed; spin first, then give the core away.
    int64_t finished = done_.fetch_add(mine, std::memory_order_acq_rel) + mine;
    for (int spins = 0; finished < tasks; ++spins) {
      if (spins < 20000)
        KERASCPP_PAUSE();
      else
        std::this_thread::yield();
      finished = done_.load(std::memory_order_acquire);
    }
  }

  static constexpr uint64_t kIndexMask = 0xffffffffu;

  // Each thread has a home range of the tasks (thread p: the p-th of P equal slices), claimed
  // through its own word: region number << 32 | next task. Threads take their home tasks first
  // and then help the others, so a region's tasks land on the same threads from one region to
  // the next (their data stays in that core's cache) while a late thread delays nobody.
  struct alignas(64) Range {
    std::atomic<uint64_t> state{0};
  };
  int64_t home_begin(int64_t tasks, size_t p) const {
    return tasks * int64_t(p) / int64_t(ranges_.size());
  }

  // Runs tasks of `region` until none is left; returns how many it ran.
  int64_t work(size_t self, uint64_t region) {
    int64_t ran = 0;
    const int64_t tasks = tasks_.load(std::memory_order_relaxed);
    const size_t P = ranges_.size();
    for (size_t k = 0; k < P; ++k) {
      const size_t p = (self + k) % P;
      const int64_t end = home_begin(tasks, p + 1);
      uint64_t s = ranges_[p].state.load(std::memory_order_acquire);
      while ((s >> 32) == region && int64_t(s & kIndexMask) < end) {
        // Success means the region is still open, so fn_ and context_ belong to it.
        if (!ranges_[p].state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                                    std::memory_order_acquire))
          continue;
        // Tasks run in the floating-point mode of the thread that opened the region.
        if (const unsigned mode = fp_mode_.load(std::memory_order_relaxed); mode != fp_mode())
          set_fp_mode(mode);
        in_region = true;
        fn_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed),
                                            int64_t(s & kIndexMask));
        in_region = false;
        ++ran;
        s = ranges_[p].state.load(std::memory_order_acquire);
      }
    }
    return ran;
  }

  void loop(uint32_t seen, size_t self) {
    for (;;) {
      // Spin ~0.2 ms for the next region before sleeping.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
      for (int spins = 0; wake_.load(std::memory_order_acquire) == seen; ++spins) {
        KERASCPP_PAUSE();
        if ((spins & 255) == 255 && std::chrono::steady_clock::now() > until) {
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          wake_.wait(seen, std::memory_order_seq_cst);
          sleepers_.fetch_sub(1, std::memory_order_seq_cst);
        }
      }
      seen = wake_.load(std::memory_order_acquire);
      if (stop_.load()) return;
      const uint64_t region = region_.load(std::memory_order_acquire);
      if (const int64_t ran = work(self, region)) done_.fetch_add(ran, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> threads_;
  std::vector<Range> ranges_;  // one per thread; the caller of run() is thread 0
  // The mode chooser (see dispatch), under call_mutex_.
  int phase_ = 0;                  // regions since the last probe began
  Clock::duration timed_[2] = {};  // time of the probe's regions with the workers and solo
  bool solo_ = false;              // the faster mode at the last probe
  int absent_ = 0;                 // regions in a row the workers ran no task of
  std::mutex call_mutex_;
  std::atomic<uint64_t> region_{0};
  std::atomic<void (*)(void*, int64_t)> fn_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<unsigned> fp_mode_{0};
  std::atomic<int64_t> tasks_{0};
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<uint32_t> wake_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

struct Settings {
  std::mutex mutex;
  std::atomic<int> threads{0};  // 0: not resolved yet
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
  s.pool.resize(n - 1);
  // The BLAS runs single-threaded inside our tasks (kernels::gemm splits the work over the
  // pool), so its own threads never compete with ours.
  KERASCPP_SET_BLAS_THREADS(1);
  s.threads.store(n);
}

}  // namespace

void detail::run_tasks(int64_t tasks, void (*fn)(void*, int64_t), void* context) {
  if (tasks <= 0) return;
  if (tasks == 1 || in_region || config::num_threads() == 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(context, t);
    return;
  }
  settings().pool.dispatch(tasks, fn, context);
}

int parallel_chunks(int64_t n, int64_t grain) {
  const int threads = config::num_threads();
  if (n <= 0) return 0;
  return static_cast<int>(std::clamp<int64_t>(n / std::max<int64_t>(1, grain), 1, threads));
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  const int chunks = parallel_chunks(n, grain);
  const int64_t per = chunks ? n / chunks : 0, extra = chunks ? n % chunks : 0;
  parallel_tasks(chunks, [&](int64_t c) {
    const int64_t b = c * per + std::min<int64_t>(c, extra);
    fn(b, b + per + (c < extra ? 1 : 0));
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
  if (const int n = s.threads.load(std::memory_order_acquire)) return n;
  std::lock_guard lock(s.mutex);
  if (s.threads.load() == 0) backend::apply_threads(s, backend::default_threads());
  return s.threads.load();
}

}  // namespace keras
