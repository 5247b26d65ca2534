#include "run_lock.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace kiln::cli {

RunLock::RunLock(const std::filesystem::path &dir) : dir_(dir) {
  const std::filesystem::path path = dir / ".kiln-train.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw rt::Error(fmt::format("{}: cannot open the run's lock file: {}",
                                path.string(), std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd_, pid, sizeof(pid) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw rt::Error(fmt::format(
          "{} is in use by another kiln train{}; give this run its own "
          "--out",
          dir.string(),
          n > 0 ? fmt::format(" (process {})", std::string(pid, size_t(n)))
                : std::string()));
    throw rt::Error(fmt::format("{}: cannot lock: {}", path.string(),
                                std::strerror(error)));
  }
  const std::string me = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, me.data(), me.size(), 0) != ssize_t(me.size())) {
    // The pid is only for the message a second run prints.
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0)
    ::close(fd_); // releases the lock
}

int RunLock::remove_stale_temporaries(
    std::initializer_list<std::string> names) const {
  int removed = 0;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string file = entry.path().filename().string();
    for (const std::string &name : names) {
      // AtomicFile's temporary: "." + name + ".tmp." + 6 mkstemp characters.
      const std::string prefix = "." + name + ".tmp.";
      if (file.size() == prefix.size() + 6 && file.starts_with(prefix) &&
          entry.is_regular_file(ec) &&
          std::filesystem::remove(entry.path(), ec))
        ++removed;
    }
  }
  return removed;
}

} // namespace kiln::cli
