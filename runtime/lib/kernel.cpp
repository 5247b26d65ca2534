#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/thread_pool.h"

#include <HalideRuntime.h>
#include <fmt/format.h>

#include <mutex>
#include <string>

namespace kiln::rt {
namespace {

// Before the first kernel of the process: this file is linked into every
// program that runs a model (its plan calls check_kernel, below).
[[maybe_unused]] const bool thread_pool_installed = install_thread_pool();

// The codes a generated plan can plausibly hit; Halide also prints its own
// detailed message through halide_error before returning the code.
const char *describe(int code) {
  switch (code) {
  case halide_error_code_generic_error:
    return "generic error";
  case halide_error_code_bad_type:
    return "bad buffer type";
  case halide_error_code_access_out_of_bounds:
    return "access out of bounds";
  case halide_error_code_buffer_allocation_too_large:
    return "buffer allocation too large";
  case halide_error_code_buffer_extents_too_large:
    return "buffer extents too large";
  case halide_error_code_constraint_violated:
    return "constraint violated";
  case halide_error_code_out_of_memory:
    return "out of memory";
  case halide_error_code_buffer_argument_is_null:
    return "buffer argument is null";
  case halide_error_code_copy_to_host_failed:
    return "copy to host failed";
  case halide_error_code_copy_to_device_failed:
    return "copy to device failed";
  case halide_error_code_device_malloc_failed:
    return "device malloc failed";
  case halide_error_code_device_run_failed:
    return "device run failed";
  case halide_error_code_requirement_failed:
    return "requirement failed";
  case halide_error_code_host_is_null:
    return "host pointer is null";
  case halide_error_code_bad_dimensions:
    return "wrong number of dimensions";
  default:
    return nullptr;
  }
}

// The message of the last halide_error, for the next check_kernel. Not
// thread_local: a kernel reports from whichever pool thread failed.
struct LastError {
  std::mutex mutex;
  std::string message;
};

LastError &last_error() {
  static LastError e;
  return e;
}

std::string take_last_error() {
  LastError &e = last_error();
  std::lock_guard lock(e.mutex);
  std::string m = std::move(e.message);
  e.message.clear();
  // Halide ends its messages with a newline; ours go into one line.
  while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
    m.pop_back();
  return m;
}

} // namespace

void check_kernel(int code, const char *kernel) {
  if (code != 0)
    check_halide(code, fmt::format("kernel {}", kernel));
}

void check_halide(int code, const std::string &action) {
  if (code == 0)
    return;
  const char *what = describe(code);
  std::string message =
      what ? fmt::format("{} failed with Halide error {} ({})", action, code,
                         what)
           : fmt::format("{} failed with Halide error {}", action, code);
  if (std::string detail = take_last_error(); !detail.empty())
    message += ": " + detail;
  throw Error(message);
}

} // namespace kiln::rt

// Halide's default error handler prints the message and calls abort(), so a
// bad buffer would kill the process. The Halide runtime defines halide_error
// weakly precisely so that programs can replace it: this keeps the message
// for check_kernel, which turns the kernel's error code into an Error. It
// lives in this file because every plan references check_kernel, so the
// linker always pulls this definition in.
extern "C" void halide_error(void *, const char *message) {
  kiln::rt::LastError &e = kiln::rt::last_error();
  std::lock_guard lock(e.mutex);
  if (e.message.empty()) // keep the first: later ones are usually fallout
    e.message = message ? message : "";
}
