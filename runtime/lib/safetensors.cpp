#include "kiln/runtime/safetensors.h"

#include "kiln/runtime/atomic_file.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"
#include "kiln/runtime/float16.h"
#include "kiln/runtime/json.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <tuple>

namespace kiln::rt {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would "
              "have to swap bytes");

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";

// Every dtype safetensors defines, to tell "not supported" from "corrupt".
constexpr std::array kKnownDtypes = {
    "BOOL",    "U8",      "I8",  "I16",     "U16",     "F16", "BF16",
    "I32",     "U32",     "F32", "F64",     "I64",     "U64", "F8_E5M2",
    "F8_E4M3", "F8_E8M0", "F4",  "F6_E2M3", "F6_E3M2", "C64"};

// The dtypes kiln reads, with their size and the tensor type they become:
// floats widen to f32, I64 narrows to i32 (every value checked).
struct StoredType {
  std::string_view name;
  uint64_t bytes;
  DType dtype;
};
constexpr std::array kReadable = {
    StoredType{"F32", 4, DType::f32},  StoredType{"F16", 2, DType::f32},
    StoredType{"BF16", 2, DType::f32}, StoredType{"I32", 4, DType::i32},
    StoredType{"I64", 8, DType::i32},  StoredType{"U8", 1, DType::i32}};

// Where a tensor's bytes are, relative to the end of the header.
struct Entry {
  TensorInfo info;
  const StoredType *stored = nullptr;
  uint64_t begin = 0, end = 0;
};

struct Parsed {
  Metadata metadata;
  std::vector<Entry> entries; // sorted by data offset
  uint64_t data_start = 0;    // 8 + header length
};

class Problem {
public:
  explicit Problem(const std::filesystem::path &path) : path_(path.string()) {}
  template <class... Args>
  [[noreturn]] void operator()(fmt::format_string<Args...> f,
                               Args &&...args) const {
    throw Error(fmt::format("{}: {}", path_,
                            fmt::format(f, std::forward<Args>(args)...)));
  }

private:
  std::string path_;
};

uint64_t read_le64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

std::string offsets_string(const Entry &e) {
  return fmt::format("[{}, {}]", e.begin, e.end);
}

// One tensor's header entry, checked on its own.
Entry parse_entry(const Problem &fail, const std::string &name,
                  const Json &value) {
  if (!value.is_object())
    fail("tensor '{}': expected an object with dtype, shape and data_offsets, "
         "got {}",
         name, json_kind(value));
  Entry e;
  e.info.name = name;
  const Json *dtype = json_member(value, "dtype");
  const Json *shape = json_member(value, "shape");
  const Json *offsets = json_member(value, "data_offsets");
  if (dtype == nullptr || shape == nullptr || offsets == nullptr)
    fail("tensor '{}': missing '{}'", name,
         dtype == nullptr   ? "dtype"
         : shape == nullptr ? "shape"
                            : "data_offsets");
  if (!dtype->is_string())
    fail("tensor '{}': dtype must be a string", name);
  const auto &d = dtype->get_ref<const std::string &>();
  auto stored =
      std::ranges::find(kReadable, std::string_view(d), &StoredType::name);
  if (stored == kReadable.end()) {
    if (std::ranges::find(kKnownDtypes, d) != kKnownDtypes.end())
      fail("tensor '{}' has dtype {}; kiln reads F32, F16, BF16, I32, I64 "
           "and U8 tensors",
           name, d);
    fail("tensor '{}' has unknown dtype '{}'", name, d);
  }
  e.stored = &*stored;
  e.info.dtype = stored->dtype;
  e.info.stored = stored->name;

  if (!shape->is_array())
    fail("tensor '{}': shape must be an array of sizes", name);
  uint64_t numel = 1;
  for (const Json &dim : *shape) {
    const auto size = json_int64(dim);
    if (!size || *size < 0)
      fail("tensor '{}': shape must be an array of non-negative integers",
           name);
    e.info.shape.push_back(*size);
    if (*size != 0 && numel > std::numeric_limits<uint64_t>::max() / 8 /
                                  static_cast<uint64_t>(*size))
      fail("tensor '{}': shape {} is too large", name,
           shape_string(e.info.shape));
    numel *= static_cast<uint64_t>(*size);
  }
  if (e.info.shape.size() > static_cast<size_t>(kMaxRank))
    fail("tensor '{}': rank {} is above kiln's limit of {}", name,
         e.info.shape.size(), kMaxRank);

  const auto bad_offsets = [&] {
    fail("tensor '{}': data_offsets must be [begin, end], two non-negative "
         "integers with begin <= end",
         name);
  };
  if (!offsets->is_array() || offsets->size() != 2)
    bad_offsets();
  const auto begin = json_uint64((*offsets)[0]);
  const auto end = json_uint64((*offsets)[1]);
  if (!begin || !end || *begin > *end)
    bad_offsets();
  e.begin = *begin;
  e.end = *end;
  if (e.end - e.begin != numel * e.stored->bytes)
    fail("tensor '{}': shape {} needs {} bytes of {} but data_offsets {} "
         "hold {}",
         name, shape_string(e.info.shape), numel * e.stored->bytes, d,
         offsets_string(e), e.end - e.begin);
  return e;
}

Metadata parse_metadata(const Problem &fail, const Json &value) {
  if (!value.is_object())
    fail("__metadata__ must be an object of strings, got {}", json_kind(value));
  // parse_json has refused duplicate keys.
  Metadata metadata;
  for (const auto &[key, v] : value.items()) {
    if (!v.is_string())
      fail("__metadata__ must map keys to strings; '{}' is {}", key,
           json_kind(v));
    metadata.emplace_back(key, v.get<std::string>());
  }
  return metadata;
}

// Reads the length and the header, checks every entry and that the ranges
// tile the data exactly. `file_size` bounds everything.
Parsed parse_header(const std::filesystem::path &path, std::ifstream &in,
                    uint64_t file_size) {
  const Problem fail(path);
  if (file_size < 8)
    fail("truncated: {} bytes, but a safetensors file starts with an 8-byte "
         "header length",
         file_size);
  unsigned char prefix[8];
  if (!in.read(reinterpret_cast<char *>(prefix), 8))
    fail("cannot read the header length");
  const uint64_t n = read_le64(prefix);
  if (n > kMaxSafetensorsHeader)
    fail("header length {} is above the limit of {} bytes (not a safetensors "
         "file, or corrupt)",
         n, kMaxSafetensorsHeader);
  if (n > file_size - 8)
    fail("header length {} goes past the end of the file ({} bytes; "
         "truncated?)",
         n, file_size);
  std::string text(n, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(n)))
    fail("cannot read the {}-byte header", n);

  Json header;
  try {
    header = parse_json(text);
  } catch (const Error &e) {
    fail("header is not valid JSON: {}", e.what());
  }
  if (!header.is_object())
    fail("header must be a JSON object, got {}", json_kind(header));

  Parsed parsed;
  parsed.data_start = 8 + n;
  const uint64_t data_size = file_size - parsed.data_start;
  // parse_json has refused duplicate names.
  for (const auto &[name, value] : header.items()) {
    if (name == kMetadataKey) {
      parsed.metadata = parse_metadata(fail, value);
      continue;
    }
    if (name.empty())
      fail("a tensor has an empty name");
    parsed.entries.push_back(parse_entry(fail, name, value));
  }

  // Names are unique, so this order is total.
  std::ranges::sort(parsed.entries, [](const Entry &a, const Entry &b) {
    return std::tie(a.begin, a.end, a.info.name) <
           std::tie(b.begin, b.end, b.info.name);
  });
  uint64_t expected = 0;
  const Entry *previous = nullptr;
  for (const Entry &e : parsed.entries) {
    if (e.end > data_size)
      fail("tensor '{}': data_offsets {} go past the end of the data ({} "
           "bytes after the header; truncated?)",
           e.info.name, offsets_string(e), data_size);
    if (e.begin < expected)
      fail("tensors '{}' {} and '{}' {} overlap", previous->info.name,
           offsets_string(*previous), e.info.name, offsets_string(e));
    if (e.begin > expected)
      fail("bytes {} to {} of the data belong to no tensor (before '{}' {}); "
           "tensors must be contiguous",
           expected, e.begin, e.info.name, offsets_string(e));
    expected = e.end;
    previous = &e;
  }
  if (expected != data_size)
    fail("{} bytes after the last tensor belong to no tensor (the data is {} "
         "bytes, the tensors cover {})",
         data_size - expected, data_size, expected);
  return parsed;
}

uint64_t open_for_reading(const std::filesystem::path &path,
                          std::ifstream &in) {
  require_regular_file(path); // a FIFO would block here
  in.open(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("{}: cannot open: {}", path.string(),
                            std::strerror(errno)));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec)
    throw Error(
        fmt::format("{}: cannot open: {}", path.string(), ec.message()));
  return size;
}

template <class List> auto *find_named(List &list, std::string_view name) {
  for (auto &item : list)
    if (item.name == name)
      return &item;
  return static_cast<decltype(&list.front())>(nullptr);
}

const std::string *find_meta(const Metadata &metadata, std::string_view key) {
  for (const auto &[k, v] : metadata)
    if (k == key)
      return &v;
  return nullptr;
}

uint64_t bytes_of(const Tensor &t) {
  return static_cast<uint64_t>(t.numel()) * 4; // f32 and i32 alike
}

// A tensor from its stored bytes (little-endian, checked length).
Tensor decode(const std::filesystem::path &path, const Entry &e,
              const std::vector<unsigned char> &bytes) {
  Tensor t(e.info.shape, e.stored->dtype);
  const size_t n = static_cast<size_t>(t.numel());
  const std::string_view d = e.stored->name;
  if (n == 0) {
    // An empty tensor has no storage: memcpy from or to null is undefined
    // even for zero bytes.
  } else if (d == "F32" || d == "I32") {
    std::memcpy(d == "F32" ? static_cast<void *>(t.data())
                           : static_cast<void *>(t.ints()),
                bytes.data(), bytes.size());
  } else if (d == "F16" || d == "BF16") {
    for (size_t i = 0; i < n; ++i) {
      const uint16_t h = uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8));
      t.data()[i] = d == "F16" ? half_to_float(h) : bfloat16_to_float(h);
    }
  } else if (d == "U8") { // images as bytes
    for (size_t i = 0; i < n; ++i)
      t.ints()[i] = bytes[i];
  } else { // I64
    for (size_t i = 0; i < n; ++i) {
      int64_t v;
      std::memcpy(&v, bytes.data() + 8 * i, 8);
      if (v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max())
        throw Error(fmt::format("{}: tensor '{}': I64 value {} at index {} "
                                "does not fit the int32 kiln computes with",
                                path.string(), e.info.name, v, i));
      t.ints()[i] = static_cast<int32_t>(v);
    }
  }
  return t;
}

} // namespace

const TensorInfo *SafetensorsHeader::find(std::string_view name) const {
  return find_named(tensors, name);
}
const std::string *SafetensorsHeader::meta(std::string_view key) const {
  return find_meta(metadata, key);
}
const NamedTensor *SafetensorsFile::find(std::string_view name) const {
  return find_named(tensors, name);
}
const std::string *SafetensorsFile::meta(std::string_view key) const {
  return find_meta(metadata, key);
}

void write_safetensors(const std::filesystem::path &path,
                       std::span<const TensorRef> tensors,
                       const Metadata &metadata) {
  const Problem fail(path);
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto &[k, v] : metadata) {
      if (meta.contains(k))
        fail("duplicate metadata key '{}'", k);
      meta[k] = v;
    }
    header[std::string(kMetadataKey)] = std::move(meta);
  }
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const TensorRef &t : tensors) {
    if (t.name.empty() || t.name == kMetadataKey)
      fail("cannot write a tensor named '{}'", t.name);
    if (t.tensor == nullptr)
      fail("tensor '{}' is null", t.name);
    if (!names.insert(t.name).second)
      fail("duplicate tensor name '{}'", t.name);
    const uint64_t bytes = static_cast<uint64_t>(t.tensor->numel()) * 4;
    Json entry = Json::object();
    entry["dtype"] = t.tensor->dtype() == DType::f32 ? "F32" : "I32";
    entry["shape"] = t.tensor->shape();
    entry["data_offsets"] = {offset, offset + bytes};
    header[std::string(t.name)] = std::move(entry);
    offset += bytes;
  }
  std::string text = json_text(header);
  // Pad with spaces so the data starts 8-byte aligned, as safetensors does.
  text.append((8 - text.size() % 8) % 8, ' ');

  AtomicFile file(path);
  unsigned char prefix[8];
  for (int i = 0; i < 8; ++i)
    prefix[i] = static_cast<unsigned char>(uint64_t{text.size()} >> (8 * i));
  file.write(std::as_bytes(std::span(prefix)));
  file.write(text);
  for (const TensorRef &t : tensors)
    file.write(std::span(static_cast<const std::byte *>(t.tensor->raw()),
                         static_cast<size_t>(bytes_of(*t.tensor))));
  file.commit();
}

SafetensorsHeader read_safetensors_header(const std::filesystem::path &path) {
  std::ifstream in;
  const uint64_t size = open_for_reading(path, in);
  Parsed parsed = parse_header(path, in, size);
  SafetensorsHeader header{std::move(parsed.metadata), {}};
  for (Entry &e : parsed.entries)
    header.tensors.push_back(std::move(e.info));
  return header;
}

SafetensorsFile read_safetensors(const std::filesystem::path &path) {
  std::ifstream in;
  const uint64_t size = open_for_reading(path, in);
  Parsed parsed = parse_header(path, in, size);
  SafetensorsFile file{std::move(parsed.metadata), {}};
  // The ranges are contiguous and in order, so the data is one read each.
  for (Entry &e : parsed.entries) {
    std::vector<unsigned char> bytes(e.end - e.begin);
    if (!in.read(reinterpret_cast<char *>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size())))
      throw Error(fmt::format("{}: cannot read the data of tensor '{}'",
                              path.string(), e.info.name));
    Tensor t = decode(path, e, bytes);
    file.tensors.push_back({std::move(e.info.name), std::move(t)});
  }
  return file;
}

} // namespace kiln::rt
