#include "autoscheduler.h"

#include <unistd.h>

#include <array>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace kiln::halide::aot {

namespace {

struct Autoscheduler {
  const char *schedule; // --schedule value
  const char *plugin;   // file in the plugin dir
  const char *halide;   // name the plugin registers with Halide
};

constexpr std::array<Autoscheduler, 3> kAutoschedulers{{
    {"adams2019", "libautoschedule_adams2019.so", "Adams2019"},
    {"mullapudi2016", "libautoschedule_mullapudi2016.so", "Mullapudi2016"},
    {"li2018", "libautoschedule_li2018.so", "Li2018"},
}};

// Halide's generic default balance (MachineParams::generic()); it weighs
// memory against arithmetic in Mullapudi2016's cost model.
constexpr float kBalance = 40.0f;
constexpr long kFallbackCacheBytes = 16L << 20;

} // namespace

bool select_schedule(const std::string &schedule,
                     const std::string &plugin_dir) {
  if (schedule == "heuristic") {
    return false;
  }
  for (const Autoscheduler &a : kAutoschedulers) {
    if (schedule != a.schedule) {
      continue;
    }
    const std::filesystem::path plugin =
        std::filesystem::path(plugin_dir) / a.plugin;
    if (!std::filesystem::exists(plugin)) {
      throw std::invalid_argument(
          "autoscheduler plugin " + plugin.string() +
          " not found (package libhalide14-0-dev; or pass --plugin-dir or "
          "set KILN_HALIDE_PLUGIN_DIR)");
    }
    Halide::load_plugin(plugin.string());
    Halide::Pipeline::set_default_autoscheduler_name(a.halide);
    return true;
  }
  std::string known = "heuristic";
  for (const Autoscheduler &a : kAutoschedulers) {
    known += std::string(", ") + a.schedule;
  }
  throw std::invalid_argument("unknown schedule '" + schedule +
                              "' (known: " + known + ")");
}

Halide::MachineParams machine_params(const std::optional<std::string> &spec) {
  if (spec) {
    return Halide::MachineParams(*spec);
  }
  const int cores =
      std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  long cache = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (cache <= 0) {
    cache = kFallbackCacheBytes;
  }
  return Halide::MachineParams(cores, static_cast<uint64_t>(cache), kBalance);
}

} // namespace kiln::halide::aot
