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

// Each block: [header: its rounded size | padding] [user bytes] [tail].
constexpr size_t kAlign = 128;
constexpr size_t kHeader = kAlign; // keeps the user pointer aligned
constexpr size_t kTail = 64;       // Halide may read past the end
// Large sizes are rounded up to this granule, so that blocks of nearly the
// same size (the same kernel with another batch) share a cache entry.
constexpr size_t kGranule = size_t(64) << 10;

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void *> free_blocks; // rounded size -> raw block
  ScratchStats stats;
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: kernels may run at exit
  return *c;
}

size_t rounded(size_t bytes) {
  const size_t total = bytes + kHeader + kTail;
  const size_t granule = bytes >= kScratchCacheMin ? kGranule : kAlign;
  return (total + granule - 1) / granule * granule;
}

void *user_pointer(void *raw, size_t size) {
  *static_cast<size_t *>(raw) = size;
  return static_cast<char *>(raw) + kHeader;
}

} // namespace

void *scratch_malloc(void *, size_t bytes) {
  const size_t size = rounded(bytes);
  if (bytes >= kScratchCacheMin) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.lower_bound(size);
    if (it != c.free_blocks.end() && it->first <= 2 * size) {
      const size_t have = it->first;
      it = std::prev(c.free_blocks.upper_bound(have));
      void *raw = it->second;
      c.free_blocks.erase(it);
      c.stats.cached_bytes -= have;
      --c.stats.cached_blocks;
      ++c.stats.reused;
      return user_pointer(raw, have);
    }
    ++c.stats.fresh;
  }
  void *raw = std::aligned_alloc(kAlign, size);
  return raw ? user_pointer(raw, size) : nullptr;
}

void scratch_free(void *, void *ptr) {
  if (!ptr)
    return;
  void *raw = static_cast<char *>(ptr) - kHeader;
  const size_t size = *static_cast<size_t *>(raw);
  if (size >= kScratchCacheMin) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.stats.cached_bytes + size <= kScratchCacheMax) {
      c.free_blocks.emplace(size, raw);
      c.stats.cached_bytes += size;
      ++c.stats.cached_blocks;
      return;
    }
  }
  std::free(raw);
}

void scratch_trim() {
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
  return c.stats;
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
