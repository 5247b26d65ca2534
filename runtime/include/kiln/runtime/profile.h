// Per-kernel timing for generated plans. Off by default: a plan wraps each
// kernel call in a KernelScope, which costs one load and branch unless a
// Profiler is active in this process (`kiln --profile`, the benchmarks'
// --profile).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kiln::rt {

class Profiler {
public:
  struct Entry {
    // A kernel's first call apart: it includes loading the kernel (on a
    // GPU, the driver compiling its PTX or OpenCL C), which would swamp a
    // short run's time per call.
    double first_seconds = 0;
    double seconds = 0; // every later call
    uint64_t calls = 0; // the first included
  };

  // Starts collecting (in place of any active profiler, which it restores
  // when it is destroyed).
  Profiler();
  ~Profiler();
  Profiler(const Profiler &) = delete;
  Profiler &operator=(const Profiler &) = delete;

  static Profiler *active() { return active_.load(std::memory_order_acquire); }
  // Thread-safe: Sessions on several threads may share one profiler.
  void add(const char *kernel, double seconds);
  std::map<std::string, Entry> entries() const;
  // A table sorted by total time after the first calls: kernel, calls, ms
  // per call (after the first; the first's alone for a kernel called
  // once), the first call's ms, share.
  std::string report() const;

private:
  static std::atomic<Profiler *> active_;
  Profiler *previous_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

class KernelScope {
public:
  explicit KernelScope(const char *kernel)
      : kernel_(kernel), profiler_(Profiler::active()) {
    if (profiler_)
      start_ = std::chrono::steady_clock::now();
  }
  ~KernelScope() {
    if (profiler_)
      profiler_->add(kernel_, std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count());
  }
  KernelScope(const KernelScope &) = delete;
  KernelScope &operator=(const KernelScope &) = delete;

private:
  const char *kernel_;
  Profiler *profiler_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace kiln::rt
