// Writing a file so that readers see either the old file or the complete new
// one, never a partial write: a temporary file in the same directory, fsync,
// rename over the target, fsync of the directory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace kiln::rt {

class AtomicFile {
public:
  // Creates a temporary file next to `path` (the directory must exist).
  // Throws Error naming the file and the system's reason.
  explicit AtomicFile(std::filesystem::path path);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  void write(std::span<const std::byte> bytes);
  void write(std::string_view bytes);
  // Flushes to disk and renames over the target.
  void commit();

  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// The whole file in one go.
void write_file_atomically(const std::filesystem::path &path,
                           std::string_view bytes);

} // namespace kiln::rt
