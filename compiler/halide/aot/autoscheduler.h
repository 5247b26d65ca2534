// Choosing between the heuristic schedules (kernel_support's schedule_*)
// and one of Halide 14's autoscheduler plugins.
#pragma once

#include <Halide.h>

#include <optional>
#include <string>

namespace kiln::halide::aot {

// Validates `schedule`; for an autoscheduler, loads its plugin from
// `plugin_dir` and makes it Halide's default. Returns whether generators
// must run with auto_schedule on. Throws std::invalid_argument with a
// user-facing message for an unknown name or a missing plugin.
bool select_schedule(const std::string &schedule,
                     const std::string &plugin_dir);

// Machine description for the autoschedulers: `spec` as
// "parallelism,cache_bytes,balance", or this machine (cores, L3 size).
Halide::MachineParams machine_params(const std::optional<std::string> &spec);

} // namespace kiln::halide::aot
