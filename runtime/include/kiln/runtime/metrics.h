// Training metrics as JSON lines (DESIGN.md decision 10): one object per
// logged step, e.g.
//   {"step":100,"epoch":0,"loss":263.1,"recon":245.0,"kl":18.1,
//    "steps_per_s":51.2,"wall_s":1.95}
// Each line is flushed when written, so a crash loses nothing logged.
#pragma once

#include "kiln/runtime/json.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>

namespace kiln::rt {

class MetricsWriter {
public:
  // Opens `path` for appending. With `keep_through_step`, lines whose "step"
  // is above it (logged by an interrupted run after its last checkpoint, or
  // unreadable) are dropped first, so a resumed run continues the file
  // without duplicates; without it the file is started afresh.
  explicit MetricsWriter(const std::filesystem::path &path,
                         std::optional<int64_t> keep_through_step = {});

  // One JSON object on one line, flushed.
  void write(const Json &record);

  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
  std::ofstream out_;
};

} // namespace kiln::rt
