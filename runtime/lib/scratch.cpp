#include "kiln/runtime/scratch.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>

// Weak, as in threads.cpp: kiln_runtime does not link the Halide runtime.
#pragma weak halide_set_custom_malloc
#pragma weak halide_set_custom_free

namespace kiln::rt {
namespace {

// Each block: [header: its rounded size, a free list's link | padding]
// [user bytes] [tail].
constexpr size_t kAlign = 128;
constexpr size_t kHeader = kAlign; // keeps the user pointer aligned
constexpr size_t kTail = 64;       // Halide may read past the end
// Large sizes are rounded up to this granule, so that blocks of nearly the
// same size (the same kernel with another batch) share a cache entry.
constexpr size_t kGranule = size_t(64) << 10;

constexpr size_t round_up(size_t n, size_t granule) {
  return (n + granule - 1) / granule * granule;
}
constexpr size_t rounded(size_t bytes) {
  return round_up(bytes + kHeader + kTail,
                  bytes >= kScratchCacheMin ? kGranule : kAlign);
}
// Every small block's rounded size is at most this, every large one's more.
constexpr size_t kLargestSmall = rounded(kScratchCacheMin - 1);
static_assert(rounded(kScratchCacheMin) > kLargestSmall);

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void *> free_blocks; // rounded size -> raw block
  ScratchStats stats;
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: kernels may run at exit
  return *c;
}

void *user_pointer(void *raw, size_t size) {
  *static_cast<size_t *>(raw) = size;
  return static_cast<char *>(raw) + kHeader;
}

// Small blocks: per thread, a free list per rounded size, without a lock.
// Trivially destructible, so that a kernel running after the thread's
// destructors (at exit) still finds it; `dead` then sends its blocks to the
// C library.
struct SmallCache {
  void *head[kLargestSmall / kAlign];
  size_t bytes;
  size_t reused;
  bool dead;
};
thread_local constinit SmallCache small{};

void *&link_of(void *raw) { return static_cast<void **>(raw)[1]; }
void *&head_for(size_t size) { return small.head[size / kAlign - 1]; }

void release_small_blocks() {
  for (void *&head : small.head)
    while (void *raw = head) {
      head = link_of(raw);
      std::free(raw);
    }
  small.bytes = 0;
}

// Its destructor, registered on a thread's first kept block (the first
// use of the thread_local), returns the thread's blocks when it ends.
struct SmallCacheOwner {
  ~SmallCacheOwner() {
    release_small_blocks();
    small.dead = true;
  }
};
thread_local SmallCacheOwner small_owner;

// Whether the small block `raw` of rounded size `size` was kept.
bool keep_small(void *raw, size_t size) {
  if (small.dead || small.bytes + size > kScratchSmallCacheMax)
    return false;
  (void)&small_owner; // an odr-use: constructs it on this thread
  void *&head = head_for(size);
  link_of(raw) = head;
  head = raw;
  small.bytes += size;
  return true;
}

void *take_small(size_t size) {
  void *&head = head_for(size);
  void *raw = head;
  if (raw) {
    head = link_of(raw);
    small.bytes -= size;
    ++small.reused;
  }
  return raw;
}

void *take_large(size_t size) {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.free_blocks.lower_bound(size);
  if (it == c.free_blocks.end() || it->first > 2 * size) {
    ++c.stats.fresh;
    return nullptr;
  }
  const size_t have = it->first;
  it = std::prev(c.free_blocks.upper_bound(have));
  void *raw = it->second;
  c.free_blocks.erase(it);
  c.stats.cached_bytes -= have;
  --c.stats.cached_blocks;
  ++c.stats.reused;
  return raw;
}

bool keep_large(void *raw, size_t size) {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.stats.cached_bytes + size > kScratchCacheMax)
    return false;
  c.free_blocks.emplace(size, raw);
  c.stats.cached_bytes += size;
  ++c.stats.cached_blocks;
  return true;
}

} // namespace

void *scratch_malloc(void *, size_t bytes) {
  if (bytes > SIZE_MAX - kGranule - kHeader - kTail)
    return nullptr; // its rounded size would wrap around
  const size_t size = rounded(bytes);
  void *raw = size > kLargestSmall ? take_large(size) : take_small(size);
  if (raw) // a cached block's header still holds its own size
    return static_cast<char *>(raw) + kHeader;
  raw = std::aligned_alloc(kAlign, size);
  return raw ? user_pointer(raw, size) : nullptr;
}

void scratch_free(void *, void *ptr) {
  if (!ptr)
    return;
  void *raw = static_cast<char *>(ptr) - kHeader;
  const size_t size = *static_cast<size_t *>(raw);
  if (!(size > kLargestSmall ? keep_large(raw, size) : keep_small(raw, size)))
    std::free(raw);
}

void scratch_trim() {
  release_small_blocks();
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto &[size, raw] : c.free_blocks)
    std::free(raw);
  c.free_blocks.clear();
  c.stats.cached_bytes = 0;
  c.stats.cached_blocks = 0;
}

ScratchStats scratch_stats() {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  ScratchStats s = c.stats;
  s.thread_small_bytes = small.bytes;
  s.thread_small_reused = small.reused;
  return s;
}

void install_scratch_allocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (&halide_set_custom_malloc == nullptr ||
        &halide_set_custom_free == nullptr)
      return;
    halide_set_custom_malloc(scratch_malloc);
    halide_set_custom_free(scratch_free);
  });
}

} // namespace kiln::rt
