#include "kiln/runtime/idx.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

namespace kiln::rt {
namespace {

const char *type_name(unsigned type) {
  switch (type) {
  case 0x08:
    return "unsigned byte";
  case 0x09:
    return "signed byte";
  case 0x0B:
    return "16-bit integer";
  case 0x0C:
    return "32-bit integer";
  case 0x0D:
    return "float";
  case 0x0E:
    return "double";
  default:
    return nullptr;
  }
}

// A gzip (or plain) file read through zlib, with errors naming the file.
class GzReader {
public:
  explicit GzReader(const std::filesystem::path &path) : path_(path) {
    require_regular_file(path); // a FIFO would block gzopen
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr)
      fail(fmt::format("cannot open: {}",
                       errno ? std::strerror(errno) : "out of memory"));
  }
  ~GzReader() {
    if (file_ != nullptr)
      gzclose(file_);
  }
  GzReader(const GzReader &) = delete;
  GzReader &operator=(const GzReader &) = delete;

  [[noreturn]] void fail(const std::string &problem) const {
    throw Error(fmt::format("{}: {}", path_.string(), problem));
  }

  // Reads up to n bytes; fewer only at the end of the data. Corrupt data
  // and a truncated gzip stream throw.
  size_t read(void *out, size_t n) {
    size_t done = 0;
    while (done < n) {
      const unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(n - done, INT_MAX / 2));
      const int got = gzread(file_, static_cast<char *>(out) + done, chunk);
      if (got < 0)
        check_error();
      if (got <= 0)
        break;
      done += static_cast<size_t>(got);
    }
    if (done < n)
      check_error();
    return done;
  }

private:
  void check_error() const {
    int code = Z_OK;
    const char *message = gzerror(file_, &code);
    if (code == Z_BUF_ERROR)
      fail("truncated gzip data (the file ends in the middle of the stream)");
    if (code == Z_ERRNO)
      fail(fmt::format("cannot read: {}", std::strerror(errno)));
    if (code != Z_OK) {
      // zlib prefixes its message with the path; fail() adds it already.
      std::string_view m = message;
      const std::string prefix = path_.string() + ": ";
      if (m.starts_with(prefix))
        m.remove_prefix(prefix.size());
      fail(fmt::format("corrupt gzip data: {}", m));
    }
  }

  std::filesystem::path path_;
  gzFile file_ = nullptr;
};

uint32_t big_endian32(const unsigned char *p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

} // namespace

IdxArray read_idx(const std::filesystem::path &path) {
  GzReader in(path);
  unsigned char magic[4];
  const size_t got = in.read(magic, 4);
  if (got < 4)
    in.fail(fmt::format("truncated: {} bytes, but an IDX file starts with a "
                        "4-byte magic number",
                        got));
  if (magic[0] != 0 || magic[1] != 0 || type_name(magic[2]) == nullptr ||
      magic[3] == 0)
    in.fail(fmt::format("not an IDX file (magic bytes {:02x} {:02x} {:02x} "
                        "{:02x}; expected 00 00, a type, a rank)",
                        magic[0], magic[1], magic[2], magic[3]));
  if (magic[2] != 0x08)
    in.fail(fmt::format("holds {} values (type 0x{:02x}); kiln reads "
                        "unsigned-byte IDX files only",
                        type_name(magic[2]), magic[2]));

  IdxArray array;
  const unsigned rank = magic[3];
  std::vector<unsigned char> dims(4 * size_t{rank});
  if (in.read(dims.data(), dims.size()) < dims.size())
    in.fail(
        fmt::format("truncated in the header ({} dimensions announced)", rank));
  uint64_t bytes = 1;
  bool overflow = false;
  for (unsigned d = 0; d < rank; ++d) {
    const uint32_t size = big_endian32(&dims[4 * d]);
    array.dims.push_back(size);
    overflow |= __builtin_mul_overflow(bytes, uint64_t{size}, &bytes);
  }
  if (overflow || bytes > kMaxIdxBytes)
    in.fail(fmt::format("dimensions [{}] make {} bytes, more than kiln reads "
                        "(corrupt header?)",
                        fmt::join(array.dims, ", "),
                        overflow ? "over 2^64" : std::to_string(bytes)));

  // Grown as the data arrives rather than sized from the header: a 16-byte
  // file that announces 4 GiB is refused for being short, without first
  // allocating 4 GiB.
  constexpr uint64_t kChunk = uint64_t{1} << 20;
  size_t data = 0;
  while (data < bytes) {
    const size_t want = static_cast<size_t>(std::min(kChunk, bytes - data));
    array.data.resize(data + want);
    const size_t got = in.read(array.data.data() + data, want);
    data += got;
    if (got < want)
      break;
  }
  if (data < bytes)
    in.fail(fmt::format("truncated: dimensions [{}] need {} bytes of data, "
                        "the file has {}",
                        fmt::join(array.dims, " x "), bytes, data));
  unsigned char extra[1];
  if (in.read(extra, 1) != 0)
    in.fail(fmt::format("has bytes after the {} bytes that dimensions [{}] "
                        "need",
                        bytes, fmt::join(array.dims, " x ")));
  return array;
}

} // namespace kiln::rt
