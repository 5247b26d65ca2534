// Runs work(i) for i in [0, count), each in its own child process forked
// from this one, at most `jobs` at a time. Processes, not threads: Halide 14
// does not promise that two pipelines can be compiled at once in one
// process. And one process per item: every item starts from the same state
// (Halide numbers the names it makes with process-wide counters), so what
// an item produces does not depend on which items ran before it or on
// `jobs`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace kiln::halide::aot {

// Work item `failed_index` threw, or its process died: `message` says how.
struct WorkError {
  size_t failed_index;
  std::string message;
};

// Nothing when every work(i) returned; otherwise the failure of the lowest
// index that failed (no new item starts once one has failed). `scratch` is
// a directory for the children's error reports. Output that work(i)
// prints must be flushed by it.
std::optional<WorkError>
for_each_in_child_processes(size_t count, int jobs,
                            const std::filesystem::path &scratch,
                            const std::function<void(size_t)> &work);

} // namespace kiln::halide::aot
