// Writing a file so that readers see either the old file or the complete new
// one, never a partial write: a temporary file in the same directory, fsync,
// rename over the target, fsync of the directory.
//
// Only regular files are replaced: a path that names a directory, a FIFO, a
// socket or a device is refused before anything is written (renaming over
// /dev/null would replace the device with a file). A symbolic link is
// followed: the file it points to is written and the link stays.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

namespace kiln::rt {

class AtomicFile {
public:
  // Creates a temporary file next to `path` (the directory must exist), or
  // next to the file it links to. Throws Error naming the file and the
  // system's reason, or what it is when it is no regular file.
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
  std::filesystem::path path_;   // as given, for messages
  std::filesystem::path target_; // what is replaced: path_, links followed
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// The whole file in one go.
void write_file_atomically(const std::filesystem::path &path,
                           std::string_view bytes);

} // namespace kiln::rt
