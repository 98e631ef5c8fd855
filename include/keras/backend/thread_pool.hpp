// The one thread pool of kerascpp. Its size follows keras::config::num_threads().
#pragma once

#include <cstdint>
#include <functional>

namespace keras::backend {

/// Runs fn(begin, end) over [0, n) split into at most num_threads() contiguous chunks of at least
/// `grain` items; the calling thread takes the first chunk. Chunk bounds depend only on n, grain
/// and the thread count, so results are deterministic for a given thread count.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

/// Number of chunks parallel_for would use for this n and grain.
int parallel_chunks(int64_t n, int64_t grain);

/// Cores this process may use: sched_getaffinity, capped by a cgroup v2/v1 CPU quota.
int available_cores();

}  // namespace keras::backend
