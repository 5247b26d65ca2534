#include "staging_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace kiln::halide::aot {

namespace fs = std::filesystem;

StagingDir::StagingDir(const fs::path &out_dir, const std::string &tag)
    : out_dir_(out_dir) {
  fs::create_directories(out_dir_);
  std::string pattern = (out_dir_ / ("." + tag + ".staging.XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a staging directory in " +
                             out_dir_.string() + ": " + std::strerror(errno));
  }
  dir_ = pattern;
}

StagingDir::~StagingDir() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

fs::path StagingDir::file(const std::string &name) const { return dir_ / name; }

void StagingDir::publish(const std::string &name) const {
  // Same file system, so rename(2) replaces the destination atomically.
  fs::rename(dir_ / name, out_dir_ / name);
}

} // namespace kiln::halide::aot
