// The one thread pool of kerascpp. Its size follows keras::config::num_threads(); the BLAS
// behind kernels::gemm runs single-threaded inside it, so threads never oversubscribe cores.
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>

namespace keras::backend {

/// Runs fn(begin, end) over [0, n) split into at most num_threads() contiguous chunks of at least
/// `grain` items. Chunk bounds depend only on n, grain and the thread count, so results are
/// deterministic for a given thread count.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

/// Number of chunks parallel_for would use for this n and grain.
int parallel_chunks(int64_t n, int64_t grain);

/// Runs fn(task) once for every task in [0, tasks), on the calling thread and the pool's
/// workers. Threads claim tasks one at a time, so a worker that starts late (or is preempted by
/// another process) only ever delays the task it holds. Thread p of T (the caller is thread 0)
/// first takes tasks [tasks*p/T, tasks*(p+1)/T), so successive regions give a thread the same
/// tasks and their data stays in its core's cache. Tasks must be independent and must not throw;
/// which thread runs a task must not change its result. Calls from inside a task run inline.
template <class F>
void parallel_tasks(int64_t tasks, F&& fn);

/// Cores this process may use: sched_getaffinity, capped by the cgroup (v2 or v1) CPU quota of
/// the process's own cgroup and its ancestors.
int available_cores();

namespace detail {
void run_tasks(int64_t tasks, void (*fn)(void*, int64_t), void* context);
}

template <class F>
void parallel_tasks(int64_t tasks, F&& fn) {
  detail::run_tasks(
      tasks, [](void* f, int64_t t) { (*static_cast<std::remove_reference_t<F>*>(f))(t); },
      const_cast<void*>(static_cast<const void*>(&fn)));
}

}  // namespace keras::backend
