// Outputs are written into a private directory next to their destination
// and renamed into place only when everything succeeded, so a failed or
// interrupted build never leaves a half-written library or header behind.
#pragma once

#include <filesystem>
#include <string>

namespace kiln::halide::aot {

class StagingDir {
public:
  // Creates out_dir (if needed) and a fresh staging directory inside it.
  StagingDir(const std::filesystem::path &out_dir, const std::string &tag);
  ~StagingDir(); // removes the staging directory and whatever is left in it
  StagingDir(const StagingDir &) = delete;
  StagingDir &operator=(const StagingDir &) = delete;

  // Path of a file in the staging directory.
  std::filesystem::path file(const std::string &name) const;

  // Atomically renames staged file `name` to out_dir/name.
  void publish(const std::string &name) const;

private:
  std::filesystem::path out_dir_;
  std::filesystem::path dir_;
};

} // namespace kiln::halide::aot
