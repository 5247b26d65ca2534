// Helpers for tests that write files: a temporary directory, raw bytes,
// gzip'd IDX files, and the message of a thrown Error.
#pragma once

#include "kiln/runtime/error.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return path_; }
  std::filesystem::path operator/(const std::string &name) const {
    return path_ / name;
  }

private:
  std::filesystem::path path_;
};

void write_bytes(const std::filesystem::path &path, const std::string &bytes);
std::string read_bytes(const std::filesystem::path &path);
std::string gzip(const std::string &bytes);

// An IDX file of unsigned bytes: header for `dims`, then `data`.
std::string idx_bytes(const std::vector<uint32_t> &dims,
                      const std::vector<uint8_t> &data);

// A Fashion-MNIST-shaped directory with `train` and `test` images whose
// pixels are a deterministic pattern, and labels i % 10.
void write_fake_fashion_mnist(const std::filesystem::path &dir, int train,
                              int test);

// The message of the kiln::rt::Error `f` throws, or "" if it does not.
template <class F> std::string error_of(F &&f) {
  try {
    f();
  } catch (const kiln::rt::Error &e) {
    return e.what();
  }
  return "";
}

} // namespace kiln::test
