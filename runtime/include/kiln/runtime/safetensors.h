// safetensors files (https://github.com/huggingface/safetensors): kiln
// reads F32, F16 and BF16 (as f32 tensors), I32, I64 and U8 (as i32, each
// I64 value checked to fit), and writes F32 and I32. The format:
// an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"key": "value", ...},
//    "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
//    ...}
// (padded with spaces to a multiple of 8), then the tensors' bytes, each
// range relative to the end of the header, contiguous and in order. This is
// what `safetensors.torch.load_file` reads.
#pragma once

#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::rt {

// String key/value pairs stored under "__metadata__", in order.
using Metadata = std::vector<std::pair<std::string, std::string>>;

// A tensor to write, by reference (the writer copies nothing).
struct TensorRef {
  std::string_view name;
  const Tensor *tensor;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// A tensor's entry in the header.
struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::f32;        // what reading it gives
  std::string_view stored = "F32"; // the file's dtype
};

struct SafetensorsHeader {
  Metadata metadata;
  std::vector<TensorInfo> tensors; // in the order of their data

  const TensorInfo *find(std::string_view name) const;
  // The value of metadata `key`, or nullptr.
  const std::string *meta(std::string_view key) const;
};

struct SafetensorsFile {
  Metadata metadata;
  std::vector<NamedTensor> tensors; // in the order of their data

  const NamedTensor *find(std::string_view name) const;
  const std::string *meta(std::string_view key) const;
};

// Headers larger than this are rejected as corrupt (safetensors' own limit).
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

// Writes the tensors in the given order, atomically (AtomicFile). Throws
// Error for an empty or duplicate name, "__metadata__" as a name, or a
// duplicate metadata key.
void write_safetensors(const std::filesystem::path &path,
                       std::span<const TensorRef> tensors,
                       const Metadata &metadata = {});

// Reads and validates the whole file. Throws Error("PATH: problem") for
// anything that is not a well-formed safetensors file kiln can read: a
// missing or truncated file, a header length beyond the file or the cap,
// invalid JSON, a dtype other than those above, an I64 value outside int32,
// a shape that does not match its byte range,
// ranges out of bounds, overlapping, with gaps or not covering the data,
// duplicate names, non-string metadata.
SafetensorsFile read_safetensors(const std::filesystem::path &path);

// The header only (metadata, names, shapes), without reading the data; the
// same checks, with the data's size taken from the file's size.
SafetensorsHeader read_safetensors_header(const std::filesystem::path &path);

} // namespace kiln::rt
