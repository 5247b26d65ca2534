// NumPy's .npy files (numpy.save; format versions 1.0, 2.0 and 3.0): the
// magic "\x93NUMPY", a version, a header length, a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W), } padded
// with spaces, then the array's bytes in C order.
//
// kiln reads little-endian booleans, integers (1, 2, 4 and 8 bytes, signed
// or not) and floats (2, 4 and 8 bytes): what image and label arrays are
// saved as. Big-endian data, Fortran order and object, string or complex
// arrays are refused with a message saying so.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::rt {

struct NpyArray {
  std::vector<int64_t> dims;
  std::string descr;  // as the file spells it: "|u1", "<f4", ...
  char kind = 'f';    // 'b' bool, 'i' signed, 'u' unsigned, 'f' float
  int item_bytes = 4; // 1, 2, 4 or 8
  std::vector<unsigned char> data; // numel() * item_bytes, little-endian

  int64_t numel() const;
  bool floating() const { return kind == 'f'; }
  // Element `i` (C order) as a double: exact for every type but 64-bit
  // integers beyond 2^53.
  double value(int64_t i) const;
};

// Arrays above this many bytes are taken for a corrupt header.
inline constexpr uint64_t kMaxNpyBytes = uint64_t{1} << 34;

// Reads a whole .npy file. Throws Error("PATH: problem") for a missing or
// truncated file, a bad magic number or version, a header that is not the
// dict above, a dtype kiln does not read, Fortran order, or a data size
// that does not match the shape.
NpyArray read_npy(const std::filesystem::path &path);

} // namespace kiln::rt
