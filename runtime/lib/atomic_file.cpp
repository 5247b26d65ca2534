#include "kiln/runtime/atomic_file.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::rt {
namespace {

[[noreturn]] void fail(const std::filesystem::path &path, const char *what) {
  throw Error(fmt::format("{}: cannot {}: {}", path.string(), what,
                          std::strerror(errno)));
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path path)
    : path_(std::move(path)), target_(writable_file(path_)) {
  // mkstemp needs a writable template; the temporary name starts with a dot
  // so directory listings and globs skip it.
  const std::filesystem::path dir =
      target_.has_parent_path() ? target_.parent_path() : ".";
  std::string name =
      (dir / ("." + target_.filename().string() + ".tmp.XXXXXX")).string();
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0)
    fail(path_, "create a temporary file to write");
  temp_ = name;
  // mkstemp makes the file 0600; checkpoints and images are for sharing.
  ::fchmod(fd_, 0644);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0)
    ::close(fd_);
  if (!committed_ && !temp_.empty())
    ::unlink(temp_.c_str());
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  const auto *p = reinterpret_cast<const char *>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail(path_, "write");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void AtomicFile::write(std::string_view bytes) {
  write(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

void AtomicFile::commit() {
  if (::fsync(fd_) != 0)
    fail(path_, "flush to disk");
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail(path_, "close");
  }
  fd_ = -1;
  // Checked again: the path may have become something else meanwhile.
  writable_file(path_);
  if (::rename(temp_.c_str(), target_.c_str()) != 0)
    fail(path_, "replace the file with the temporary one");
  committed_ = true;
  // The rename itself is durable once the directory is flushed.
  const std::filesystem::path dir =
      target_.has_parent_path() ? target_.parent_path() : ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomically(const std::filesystem::path &path,
                           std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

} // namespace kiln::rt
