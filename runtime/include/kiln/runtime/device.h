// Where a Session's kernels run, and the device memory that mirrors its
// host memory while they run on a GPU (docs/runtime.md, "Devices").
//
// On a GPU every tensor a kernel touches (parameters, optimizer state, the
// arena, an entry point's inputs and outputs) has a device allocation of
// its own size, registered under its host address: the generated plans keep
// passing host addresses, and DeviceArgs points each kernel argument at the
// device bytes behind it. Data crosses between host and device only at the
// edges: inputs before an entry point, outputs after it, parameters when a
// caller reads or writes them on the host.
#pragma once

#include "kiln/runtime/params.h"

#include <HalideRuntime.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

namespace kiln::rt {

// cuda: an NVIDIA GPU through its driver. opencl: any OpenCL 1.2 device
// through the ICD loader; with PoCL that is the CPU itself, which is how CI
// runs every GPU schedule without a GPU (docs/testing.md).
enum class Device { cpu, cuda, opencl };

// "cpu" / "cuda" / "opencl".
const char *device_name(Device device);
// The device named `text`; Error listing the choices otherwise.
Device parse_device(std::string_view text);

// Whether `model` has kernels for `device` (the CPU's always).
bool has_kernels_for(const ModelDesc &model, Device device);

// The device new Sessions use unless told otherwise (the kiln CLI's
// --device); cpu until set.
void set_default_device(Device device);
Device default_device();

// Host ranges and their device copies, for one Session.
class DeviceMemory {
public:
  // Loads the driver (libcuda.so.1 for cuda, libOpenCL.so.1 for opencl)
  // and checks that a device answers; Error naming what is missing
  // otherwise.
  explicit DeviceMemory(Device device);
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  Device device() const { return device_; }

  // Gives [host, host + bytes) a device allocation, dropping any range it
  // overlaps (memory the host freed and reused). Keeps the existing one
  // when the same range is registered again.
  void add(const void *host, size_t bytes);
  // add for a tensor's storage.
  void add(const Tensor &t) { add(t.raw(), size_t(t.numel()) * 4); }
  // Drops the range starting at `host`, if any.
  void remove(const void *host);
  // Copies the range starting at `host` to the device, or back.
  void upload(const void *host);
  void download(const void *host);
  // Copies `bytes` from the device copy of `src` to that of `dst`.
  void copy(const void *src, void *dst, size_t bytes);

  // Sets `view`'s device handle to the device bytes behind its host
  // pointer (a crop of the registered range, which `release` undoes).
  // Error when the view's bytes are not inside one registered range, or
  // (OpenCL) start at an offset the device cannot address as a sub-buffer
  // (kilnc's memory plan aligns arena regions to 128 bytes, PoCL's need).
  void attach(halide_buffer_t &view);
  void release(halide_buffer_t &view);

private:
  struct Range {
    size_t bytes = 0;
    halide_buffer_t buffer{};
    halide_dimension_t dim{};
  };
  // The range holding [host, host + bytes), or nullptr.
  Range *find(const void *host, size_t bytes);
  // attach, for a kernel argument or (any offset) a copy's operand.
  void crop(halide_buffer_t &view, bool kernel_argument);
  void free_range(Range &range);

  Device device_;
  const halide_device_interface_t *interface_ = nullptr;
  // A kernel argument's offset in its range must be a multiple of this
  // (OpenCL's CL_DEVICE_MEM_BASE_ADDR_ALIGN; 1 for CUDA).
  size_t crop_alignment_ = 1;
  std::map<const char *, Range> ranges_; // by host address
};

// A GPU Session's device memory and which copy of its parameters is
// current: both after a read on the host, the device's after a call, the
// host's after a write on the host (the ParamAccess hook of its store).
class DeviceParams final : public ParamAccess {
public:
  explicit DeviceParams(Device device) : memory_(device) {}
  DeviceMemory &memory() const { return memory_; }
  // Copies the parameters back if the device holds newer values; after a
  // write the device's are stale until to_device.
  void before_host_access(const ParamStore &store, bool write) const override;
  // Gives every parameter device memory and copies them up, unless the
  // device's are current.
  void to_device(const ParamStore &store);
  // The kernels are about to change the device's values.
  void device_changes() { host_current_ = false; }
  bool device_current() const { return device_current_; }

private:
  mutable DeviceMemory memory_;
  mutable bool host_current_ = true;
  mutable bool device_current_ = false;
};

// A kernel call's buffer arguments on the Session's device: attached for
// the call and released after it. Does nothing on the CPU. Generated plans
// create one around every kernel call. While a Profiler is active it waits
// for the device's work before releasing them.
class Session;
class DeviceArgs {
public:
  DeviceArgs(Session &session, std::initializer_list<halide_buffer_t *> args);
  ~DeviceArgs();
  DeviceArgs(const DeviceArgs &) = delete;
  DeviceArgs &operator=(const DeviceArgs &) = delete;

private:
  DeviceMemory *memory_ = nullptr;
  std::vector<halide_buffer_t *> args_;
};

} // namespace kiln::rt
