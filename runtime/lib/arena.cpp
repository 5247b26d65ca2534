#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace kiln::rt {
namespace {

// 64 bytes: one cache line, and one AVX-512 vector, so kernels can assume
// aligned loads at the start of every region.
constexpr size_t kAlign = 64;

void free_region(float *p) { std::free(p); }

} // namespace

float *Session::arena(int index, size_t bytes) {
  if (index < 0)
    throw Error(fmt::format("arena region index {} is negative", index));
  const auto i = static_cast<size_t>(index);
  if (i >= arena_.size())
    arena_.resize(i + 1);
  Region &r = arena_[i];
  if (r.data == nullptr || bytes > r.bytes) {
    // Round up to whole lines (aligned_alloc requires a multiple of the
    // alignment) and never ask for 0 bytes, so the pointer is always valid.
    const size_t rounded =
        (std::max<size_t>(bytes, 1) + kAlign - 1) / kAlign * kAlign;
    if (rounded < bytes)
      throw Error(fmt::format("arena region {} of {} bytes is too large", index,
                              bytes));
    auto *p = static_cast<float *>(std::aligned_alloc(kAlign, rounded));
    if (p == nullptr)
      throw Error(fmt::format("out of memory allocating arena region {} "
                              "({} bytes)",
                              index, rounded));
    // Zeroed so that a plan bug reading unwritten memory is at least
    // deterministic. Growth is rare: sizes settle after the first call.
    std::memset(p, 0, rounded);
    if (DeviceMemory *device = device_memory()) {
      if (r.data)
        device->remove(r.data.get());
      r.data = {p, &free_region};
      device->add(p, rounded);
    } else {
      r.data = {p, &free_region};
    }
    r.bytes = rounded;
  }
  return r.data.get();
}

} // namespace kiln::rt
