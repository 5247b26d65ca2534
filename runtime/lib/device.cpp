#include "kiln/runtime/device.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"

#include <HalideRuntimeCuda.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <atomic>
#include <iterator>
#include <limits>

// The Halide runtime comes with the models' kernels, not with this library:
// programs without models (the runtime's own tests) link no Halide runtime
// at all. Weak references keep them linking; a device then reports that the
// program has no GPU runtime.
#pragma weak halide_cuda_device_interface
#pragma weak halide_device_malloc
#pragma weak halide_device_free
#pragma weak halide_device_crop
#pragma weak halide_device_release_crop
#pragma weak halide_copy_to_device
#pragma weak halide_copy_to_host
#pragma weak halide_buffer_copy
#pragma weak halide_reuse_device_allocations

namespace kiln::rt {
namespace {

std::atomic<Device> g_default_device{Device::cpu};

constexpr size_t kElement = 4; // f32 and i32 alike

// Halide 14's CUDA runtime looks for the driver under the name libcuda.so,
// which only the driver's development package provides; loaded first and
// globally, libcuda.so.1 is found by symbol instead (DESIGN.md decision 8).
const halide_device_interface_t *open_cuda() {
  static void *driver = nullptr;
  if (driver == nullptr) {
    driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (driver == nullptr) {
      const char *why = dlerror();
      throw Error(fmt::format(
          "--device cuda: cannot load libcuda.so.1, NVIDIA's driver library "
          "({}); it needs an NVIDIA GPU with its driver installed; run "
          "with --device cpu instead",
          why ? why : "not found"));
    }
  }
  if (&halide_cuda_device_interface == nullptr)
    throw Error("--device cuda: this program was linked without the Halide "
                "CUDA runtime (it has no model built with GPU kernels)");
  return halide_cuda_device_interface();
}

// A view's extent in bytes, from its innermost element to its outermost.
size_t span_bytes(const halide_buffer_t &view) {
  int64_t last = 0;
  for (int i = 0; i < view.dimensions; ++i) {
    if (view.dim[i].extent <= 0)
      return kElement;
    last += int64_t(view.dim[i].extent - 1) * view.dim[i].stride;
  }
  return size_t(last + 1) * kElement;
}

} // namespace

const char *device_name(Device device) {
  return device == Device::cuda ? "cuda" : "cpu";
}

Device parse_device(std::string_view text) {
  if (text == "cpu")
    return Device::cpu;
  if (text == "cuda")
    return Device::cuda;
  throw Error(fmt::format("unknown device '{}' (cpu, cuda)", text));
}

void set_default_device(Device device) { g_default_device = device; }
Device default_device() { return g_default_device; }

DeviceMemory::DeviceMemory(Device device) : device_(device) {
  if (device == Device::cpu)
    throw Error("internal error: DeviceMemory for the CPU");
  interface_ = open_cuda();
  // Kernels with intermediate buffers allocate device memory per call;
  // Halide's cache keeps it instead of a cuMemAlloc/cuMemFree pair per call
  // (cuMemFree waits for the GPU).
  halide_reuse_device_allocations(nullptr, true);
  // The first allocation initialises the driver and picks the device: the
  // place where a machine without a usable GPU says so.
  char probe[kElement];
  try {
    add(probe, sizeof probe);
  } catch (const Error &e) {
    throw Error(fmt::format("--device {}: no usable GPU: {}",
                            device_name(device), e.what()));
  }
  remove(probe);
}

DeviceMemory::~DeviceMemory() {
  for (auto &[host, range] : ranges_)
    free_range(range);
}

void DeviceMemory::free_range(Range &range) {
  if (range.buffer.device != 0)
    halide_device_free(nullptr, &range.buffer);
}

DeviceMemory::Range *DeviceMemory::find(const void *host, size_t bytes) {
  const char *h = static_cast<const char *>(host);
  auto it = ranges_.upper_bound(h);
  if (it == ranges_.begin())
    return nullptr;
  --it;
  if (h + bytes > it->first + it->second.bytes)
    return nullptr;
  return &it->second;
}

void DeviceMemory::add(const void *host, size_t bytes) {
  const char *h = static_cast<const char *>(host);
  bytes = std::max(bytes, kElement);
  if (auto same = ranges_.find(h);
      same != ranges_.end() && same->second.bytes == bytes)
    return;
  auto it = ranges_.lower_bound(h);
  if (it != ranges_.begin() &&
      std::prev(it)->first + std::prev(it)->second.bytes > h)
    --it;
  while (it != ranges_.end() && it->first < h + bytes) {
    free_range(it->second);
    it = ranges_.erase(it);
  }
  const size_t elements = (bytes + kElement - 1) / kElement;
  if (elements > size_t(std::numeric_limits<int32_t>::max()))
    throw Error(fmt::format("a tensor of {} bytes is too large for one device "
                            "buffer (32-bit extents)",
                            bytes));
  Range &r = ranges_[h];
  r.bytes = bytes;
  r.dim = halide_dimension_t(0, int32_t(elements), 1);
  r.buffer.host = reinterpret_cast<uint8_t *>(const_cast<char *>(h));
  r.buffer.type = halide_type_t(halide_type_float, 32, 1);
  r.buffer.dimensions = 1;
  r.buffer.dim = &r.dim;
  const int code = halide_device_malloc(nullptr, &r.buffer, interface_);
  if (code != 0) {
    ranges_.erase(h);
    check_halide(code, fmt::format("allocating {} bytes on the {} device",
                                   bytes, device_name(device_)));
  }
}

void DeviceMemory::remove(const void *host) {
  auto it = ranges_.find(static_cast<const char *>(host));
  if (it == ranges_.end())
    return;
  free_range(it->second);
  ranges_.erase(it);
}

void DeviceMemory::upload(const void *host) {
  auto it = ranges_.find(static_cast<const char *>(host));
  if (it == ranges_.end())
    throw Error("internal error: uploading memory the device does not hold");
  it->second.buffer.flags = halide_buffer_flag_host_dirty;
  check_halide(halide_copy_to_device(nullptr, &it->second.buffer, interface_),
               "copying to the device");
}

void DeviceMemory::download(const void *host) {
  auto it = ranges_.find(static_cast<const char *>(host));
  if (it == ranges_.end())
    throw Error("internal error: downloading memory the device does not hold");
  it->second.buffer.flags = halide_buffer_flag_device_dirty;
  check_halide(halide_copy_to_host(nullptr, &it->second.buffer),
               "copying from the device");
}

void DeviceMemory::attach(halide_buffer_t &view) {
  const size_t bytes = span_bytes(view);
  Range *r = find(view.host, bytes);
  if (r == nullptr)
    throw Error(fmt::format("internal error: a kernel argument ({} bytes at "
                            "{}) is not in device memory",
                            bytes, static_cast<const void *>(view.host)));
  halide_dimension_t dim(
      int32_t((view.host - r->buffer.host) / int64_t(kElement)),
      int32_t(bytes / kElement), 1);
  halide_buffer_t crop{};
  crop.host = view.host;
  crop.type = r->buffer.type;
  crop.dimensions = 1;
  crop.dim = &dim;
  check_halide(halide_device_crop(nullptr, &r->buffer, &crop),
               "pointing a kernel argument at device memory");
  view.device = crop.device;
  view.device_interface = crop.device_interface;
  // Should a stage ever run on the host, Halide copies the data down first.
  view.flags = halide_buffer_flag_device_dirty;
}

void DeviceMemory::release(halide_buffer_t &view) {
  if (view.device != 0) {
    // A stage that ran on the host leaves its result there: bring it up.
    if (view.flags & halide_buffer_flag_host_dirty)
      halide_copy_to_device(nullptr, &view, interface_);
    halide_device_release_crop(nullptr, &view);
  }
  view.device = 0;
  view.device_interface = nullptr;
  view.flags = 0;
}

void DeviceMemory::copy(const void *src, void *dst, size_t bytes) {
  if (bytes == 0)
    return;
  const int32_t n = int32_t(bytes / kElement);
  halide_dimension_t sd(0, n, 1), dd(0, n, 1);
  halide_buffer_t s{}, d{};
  s.host = static_cast<uint8_t *>(const_cast<void *>(src));
  d.host = static_cast<uint8_t *>(dst);
  s.type = d.type = halide_type_t(halide_type_float, 32, 1);
  s.dimensions = d.dimensions = 1;
  s.dim = &sd;
  d.dim = &dd;
  attach(s);
  attach(d);
  s.flags = d.flags = 0;
  const int code = halide_buffer_copy(nullptr, &s, interface_, &d);
  release(s);
  d.flags = 0;
  release(d);
  check_halide(code, "copying on the device");
}

void DeviceParams::before_host_access(const ParamStore &store,
                                      bool write) const {
  if (!host_current_) {
    for (size_t i = 0; i < store.size(); ++i)
      memory_.download(store.storage(i).raw());
    host_current_ = true;
  }
  if (write)
    device_current_ = false;
}

void DeviceParams::to_device(const ParamStore &store) {
  if (device_current_)
    return;
  for (size_t i = 0; i < store.size(); ++i) {
    const Tensor &p = store.storage(i);
    memory_.add(p.raw(), size_t(p.numel()) * kElement);
    memory_.upload(p.raw());
  }
  device_current_ = true;
}

DeviceArgs::DeviceArgs(Session &session,
                       std::initializer_list<halide_buffer_t *> args) {
  memory_ = session.device_memory();
  if (memory_ == nullptr)
    return;
  args_.reserve(args.size());
  try {
    for (halide_buffer_t *arg : args) {
      memory_->attach(*arg);
      args_.push_back(arg);
    }
  } catch (...) {
    for (halide_buffer_t *arg : args_)
      memory_->release(*arg);
    throw;
  }
}

DeviceArgs::~DeviceArgs() {
  for (halide_buffer_t *arg : args_)
    memory_->release(*arg);
}

} // namespace kiln::rt
