#include "kiln/runtime/device.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/profile.h"
#include "kiln/runtime/session.h"

#include <HalideRuntimeCuda.h>
#include <HalideRuntimeOpenCL.h>
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
#pragma weak halide_opencl_device_interface
#pragma weak halide_opencl_get_cl_mem
#pragma weak halide_device_malloc
#pragma weak halide_device_free
#pragma weak halide_device_crop
#pragma weak halide_device_release_crop
#pragma weak halide_copy_to_device
#pragma weak halide_copy_to_host
#pragma weak halide_buffer_copy
#pragma weak halide_reuse_device_allocations
#pragma weak halide_device_sync

namespace kiln::rt {
namespace {

std::atomic<Device> g_default_device{Device::cpu};

constexpr size_t kElement = 4; // f32 and i32 alike

// Loads a driver library globally, so that Halide's runtime finds its
// symbols in the process: Halide 14 asks for libcuda.so and libOpenCL.so,
// names only the development packages provide (DESIGN.md decision 8).
void *load_driver(Device device, const char *library, const char *what) {
  void *handle = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char *why = dlerror();
    throw Error(fmt::format("--device {}: cannot load {}, {} ({}); run with "
                            "--device cpu instead",
                            device_name(device), library, what,
                            why ? why : "not found"));
  }
  return handle;
}

const halide_device_interface_t *open_cuda() {
  static void *driver = nullptr;
  if (driver == nullptr)
    driver = load_driver(Device::cuda, "libcuda.so.1",
                         "NVIDIA's driver library; it needs an NVIDIA GPU "
                         "with its driver installed");
  if (&halide_cuda_device_interface == nullptr)
    throw Error("--device cuda: this program was linked without the Halide "
                "CUDA runtime (it has no model built with GPU kernels)");
  return halide_cuda_device_interface();
}

void *opencl_library() {
  static void *loader = nullptr;
  if (loader == nullptr)
    loader = load_driver(Device::opencl, "libOpenCL.so.1",
                         "the OpenCL ICD loader; install one with a "
                         "platform (Debian: ocl-icd-libopencl1, and "
                         "pocl-opencl-icd to run on the CPU)");
  return loader;
}

const halide_device_interface_t *open_opencl() {
  opencl_library();
  if (&halide_opencl_device_interface == nullptr)
    throw Error("--device opencl: this program was linked without the "
                "Halide OpenCL runtime (it has no model built with GPU "
                "kernels)");
  return halide_opencl_device_interface();
}

// CL_DEVICE_MEM_BASE_ADDR_ALIGN, in bytes, of the device that holds
// `buffer`'s memory: the alignment a sub-buffer's origin needs, which is
// how Halide passes a crop to an OpenCL kernel. From the buffer's cl_mem:
// its context, the context's device.
size_t opencl_crop_alignment(halide_buffer_t &buffer) {
  using Info = int (*)(void *, uint32_t, size_t, void *, size_t *);
  void *lib = opencl_library();
  auto mem_info = reinterpret_cast<Info>(dlsym(lib, "clGetMemObjectInfo"));
  auto context_info = reinterpret_cast<Info>(dlsym(lib, "clGetContextInfo"));
  auto device_info = reinterpret_cast<Info>(dlsym(lib, "clGetDeviceInfo"));
  constexpr uint32_t kMemContext = 0x1106, kContextDevices = 0x1081,
                     kBaseAddrAlign = 0x1019;
  void *mem =
      reinterpret_cast<void *>(halide_opencl_get_cl_mem(nullptr, &buffer));
  void *context = nullptr, *device = nullptr;
  uint32_t bits = 0;
  if (mem_info == nullptr || context_info == nullptr ||
      device_info == nullptr ||
      mem_info(mem, kMemContext, sizeof context, &context, nullptr) != 0 ||
      context_info(context, kContextDevices, sizeof device, &device, nullptr) !=
          0 ||
      device_info(device, kBaseAddrAlign, sizeof bits, &bits, nullptr) != 0 ||
      bits < 8)
    throw Error("--device opencl: cannot read the device's base address "
                "alignment (CL_DEVICE_MEM_BASE_ADDR_ALIGN)");
  return bits / 8;
}

const halide_device_interface_t *open_device(Device device) {
  switch (device) {
  case Device::cuda:
    return open_cuda();
  case Device::opencl:
    return open_opencl();
  case Device::cpu:
    break;
  }
  throw Error("internal error: DeviceMemory for the CPU");
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
  switch (device) {
  case Device::cuda:
    return "cuda";
  case Device::opencl:
    return "opencl";
  case Device::cpu:
    break;
  }
  return "cpu";
}

Device parse_device(std::string_view text) {
  for (Device d : {Device::cpu, Device::cuda, Device::opencl})
    if (text == device_name(d))
      return d;
  throw Error(fmt::format("unknown device '{}' (cpu, cuda, opencl)", text));
}

bool has_kernels_for(const ModelDesc &model, Device device) {
  switch (device) {
  case Device::cuda:
    return model.cuda_kernels;
  case Device::opencl:
    return model.opencl_kernels;
  case Device::cpu:
    break;
  }
  return true;
}

void set_default_device(Device device) { g_default_device = device; }
Device default_device() { return g_default_device; }

DeviceMemory::DeviceMemory(Device device) : device_(device) {
  interface_ = open_device(device);
  // Kernels with intermediate buffers allocate device memory per call;
  // Halide's cache keeps it instead of a cuMemAlloc/cuMemFree pair per call
  // (cuMemFree waits for the GPU).
  halide_reuse_device_allocations(nullptr, true);
  // The first allocation initialises the driver and picks the device: the
  // place where a machine without a usable one says so.
  char probe[kElement];
  try {
    add(probe, sizeof probe);
  } catch (const Error &e) {
    // Halide does not name OpenCL's -1001: the ICD loader found no
    // platform.
    throw Error(fmt::format(
        "--device {}: no usable {}: {}{}", device_name(device),
        device == Device::cuda ? "GPU" : "OpenCL device", e.what(),
        device == Device::opencl
            ? " (is an OpenCL platform installed? Debian's pocl-opencl-icd "
              "runs on the CPU)"
            : ""));
  }
  if (device == Device::opencl)
    crop_alignment_ = opencl_crop_alignment(ranges_.at(probe).buffer);
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
  crop(view, /*kernel_argument=*/true);
}

void DeviceMemory::crop(halide_buffer_t &view, bool kernel_argument) {
  const size_t bytes = span_bytes(view);
  Range *r = find(view.host, bytes);
  if (r == nullptr)
    throw Error(
        fmt::format("internal error: {} ({} bytes at {}) is not "
                    "in device memory",
                    kernel_argument ? "a kernel argument" : "a copy's operand",
                    bytes, static_cast<const void *>(view.host)));
  // Copies take any offset; a kernel's OpenCL sub-buffer does not.
  const int64_t offset = view.host - r->buffer.host;
  if (kernel_argument && offset % int64_t(crop_alignment_) != 0)
    throw Error(fmt::format(
        "internal error: a kernel argument starts {} bytes into its device "
        "allocation, which the {} device cannot address (it needs multiples "
        "of {} bytes)",
        offset, device_name(device_), crop_alignment_));
  halide_dimension_t dim(int32_t(offset / int64_t(kElement)),
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
  crop(s, false);
  crop(d, false);
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
    memory_.add(p);
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
  // A profiled call is timed by the wall clock around it (KernelScope), and
  // a GPU call returns before its work is done: wait for the device, so
  // that each kernel's time is its own rather than its successor's.
  // A kernel that failed on the device fails this wait too; the error is
  // then reported by the next call, which meets it again (CUDA's errors
  // stay with the context).
  if (Profiler::active() != nullptr && !args_.empty() &&
      &halide_device_sync != nullptr)
    halide_device_sync(nullptr, args_.front());
  for (halide_buffer_t *arg : args_)
    memory_->release(*arg);
}

} // namespace kiln::rt
