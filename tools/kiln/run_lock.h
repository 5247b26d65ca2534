// One kiln train per run directory: an exclusive lock (flock) on
// DIR/.kiln-train.lock for the run's lifetime, so that a second run with the
// same --out stops at once instead of overwriting the first one's
// checkpoint and metrics. The kernel drops the lock when the process ends,
// however it ends, so a killed run never leaves a stale one.
#pragma once

#include <filesystem>
#include <string>

namespace kiln::cli {

class RunLock {
public:
  // Throws rt::Error naming the directory (and the holder's pid, when it
  // wrote one) when another process holds it.
  explicit RunLock(const std::filesystem::path &dir);
  ~RunLock();
  RunLock(const RunLock &) = delete;
  RunLock &operator=(const RunLock &) = delete;

  // Removes the temporary files a run killed while saving left in the
  // directory: kiln's own (".NAME.tmp.XXXXXX" for the files of `names`),
  // which no live run can be writing while this lock is held. Returns how
  // many it removed.
  int remove_stale_temporaries(std::initializer_list<std::string> names) const;

private:
  std::filesystem::path dir_;
  int fd_ = -1;
};

} // namespace kiln::cli
