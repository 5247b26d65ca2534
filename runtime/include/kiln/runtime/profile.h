// Per-kernel timing for generated plans. Off by default: a plan wraps each
// kernel call in a KernelScope, which costs one load and branch unless a
// Profiler is active in this process (kiln bench --profile).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace kiln::rt {

class Profiler {
public:
  struct Entry {
    double seconds = 0;
    uint64_t calls = 0;
  };

  // Starts collecting (replacing any active profiler); stops on destruction.
  Profiler();
  ~Profiler();
  Profiler(const Profiler &) = delete;
  Profiler &operator=(const Profiler &) = delete;

  static Profiler *active() { return active_; }
  void add(const char *kernel, double seconds);
  const std::map<std::string, Entry> &entries() const { return entries_; }
  // A table sorted by total time: kernel, calls, ms per call, share.
  std::string report() const;

private:
  static Profiler *active_;
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
