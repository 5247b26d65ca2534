// IDX files (the MNIST format: http://yann.lecun.com/exdb/mnist/), gzip'd or
// not: two zero bytes, a type byte, the number of dimensions, each dimension
// as a big-endian 32-bit size, then the data in row-major order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace kiln::rt {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data; // product of dims bytes
};

// Data above this many bytes is taken for a corrupt header.
inline constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 32;

// Reads an unsigned-byte (type 0x08) IDX file; gzip'd files are inflated on
// the fly. Throws Error("PATH: problem") for a missing file, corrupt or
// truncated gzip data, a bad magic number, another element type, a data
// size that does not match the dimensions, or bytes after the data.
IdxArray read_idx(const std::filesystem::path &path);

} // namespace kiln::rt
