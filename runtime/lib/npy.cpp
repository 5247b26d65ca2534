#include "kiln/runtime/npy.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"
#include "kiln/runtime/float16.h"

#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>

namespace kiln::rt {
namespace {

// The header dict, read the way numpy writes it: keys in any order, single
// or double quotes, a shape tuple with an optional trailing comma.
class HeaderParser {
public:
  HeaderParser(std::string_view text, const std::filesystem::path &path)
      : s_(text), path_(path) {}

  [[noreturn]] void fail(std::string_view problem) const {
    // The header as numpy wrote it is short; a corrupt one is not shown whole.
    const std::string_view shown = s_.substr(0, 200);
    throw Error(fmt::format("{}: header {}: {}{}", path_.string(), problem,
                            shown, shown.size() < s_.size() ? "..." : ""));
  }

  void parse(NpyArray &a, bool &fortran) {
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr") {
        a.descr = string();
        has_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        has_order = true;
      } else if (key == "shape") {
        a.dims = shape();
        has_shape = true;
      } else {
        fail(fmt::format("has an unknown key '{}'", key));
      }
      if (!peek('}'))
        expect(',');
    }
    expect('}');
    if (!has_descr || !has_order || !has_shape)
      fail("lacks one of 'descr', 'fortran_order' and 'shape'");
  }

private:
  void skip_space() {
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c))
      fail(fmt::format("expected '{}' at character {}", c, pos_));
    ++pos_;
  }
  std::string string() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"'))
      fail(fmt::format("expected a quoted string at character {}", pos_));
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos)
      fail("has an unterminated string");
    std::string value(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const auto &[word, value] :
         {std::pair{std::string_view("True"), true}, {"False", false}})
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    fail(fmt::format("expected True or False at character {}", pos_));
  }
  std::vector<int64_t> shape() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      int64_t d = 0;
      size_t digits = 0;
      while (pos_ < s_.size() &&
             std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (d > (std::numeric_limits<int64_t>::max() - 9) / 10)
          fail("has a dimension too large");
        d = d * 10 + (s_[pos_++] - '0');
        ++digits;
      }
      if (digits == 0)
        fail(fmt::format("expected a dimension at character {}", pos_));
      // numpy writes 3L for a long on Python 2.
      if (pos_ < s_.size() && s_[pos_] == 'L')
        ++pos_;
      dims.push_back(d);
      if (!peek(')'))
        expect(',');
    }
    expect(')');
    return dims;
  }

  std::string_view s_;
  const std::filesystem::path &path_;
  size_t pos_ = 0;
};

} // namespace

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

double NpyArray::value(int64_t i) const {
  const unsigned char *p = data.data() + i * item_bytes;
  uint64_t bits = 0;
  for (int b = item_bytes - 1; b >= 0; --b)
    bits = (bits << 8) | p[b];
  switch (kind) {
  case 'b':
  case 'u':
    return static_cast<double>(bits);
  case 'i': {
    const int shift = 64 - 8 * item_bytes; // sign-extend
    return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
  }
  default:
    if (item_bytes == 2)
      return half_to_float(static_cast<uint16_t>(bits));
    if (item_bytes == 4)
      return std::bit_cast<float>(static_cast<uint32_t>(bits));
    return std::bit_cast<double>(bits);
  }
}

NpyArray read_npy(const std::filesystem::path &path) {
  auto fail = [&](const std::string &problem) -> Error {
    return Error(fmt::format("{}: {}", path.string(), problem));
  };
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw fail(fmt::format("cannot open: {}", std::strerror(errno)));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad())
    throw fail(fmt::format("cannot read: {}", std::strerror(errno)));

  constexpr std::string_view kMagic("\x93NUMPY", 6);
  if (bytes.size() < 10 || std::string_view(bytes).substr(0, 6) != kMagic)
    throw fail("not a .npy file (no \\x93NUMPY magic)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    throw fail(fmt::format(".npy format version {}.{}; kiln reads 1.0 to 3.0",
                           major, static_cast<unsigned char>(bytes[7])));
  const size_t length_bytes = major == 1 ? 2 : 4;
  uint64_t header_length = 0;
  for (size_t b = 0; b < length_bytes && 8 + b < bytes.size(); ++b)
    header_length |= uint64_t(static_cast<unsigned char>(bytes[8 + b]))
                     << (8 * b);
  const uint64_t data_start = 8 + length_bytes + header_length;
  if (data_start > bytes.size())
    throw fail(fmt::format("header of {} bytes runs past the end of the file "
                           "({} bytes)",
                           header_length, bytes.size()));

  NpyArray a;
  bool fortran = false;
  HeaderParser(std::string_view(bytes).substr(8 + length_bytes, header_length),
               path)
      .parse(a, fortran);
  if (fortran)
    throw fail("array is in Fortran order; save it in C order "
               "(numpy.ascontiguousarray)");
  const std::string &d = a.descr;
  const bool little = d.size() == 3 && (d[0] == '<' || d[0] == '|');
  if (d.size() == 3 && d[0] == '>' && d[2] != '1')
    throw fail(fmt::format("dtype '{}' is big-endian; kiln reads "
                           "little-endian arrays (numpy: .astype('<{}'))",
                           d, d.substr(1)));
  a.kind = little ? d[1] : '?';
  a.item_bytes = little ? d[2] - '0' : 0;
  const bool readable =
      ((a.kind == 'i' || a.kind == 'u') &&
       (a.item_bytes == 1 || a.item_bytes == 2 || a.item_bytes == 4 ||
        a.item_bytes == 8)) ||
      (a.kind == 'b' && a.item_bytes == 1) ||
      (a.kind == 'f' &&
       (a.item_bytes == 2 || a.item_bytes == 4 || a.item_bytes == 8));
  if (!readable)
    throw fail(fmt::format("dtype '{}': kiln reads booleans, integers and "
                           "floats (e.g. '|u1', '<i8', '<f4')",
                           d));

  uint64_t numel = 1;
  for (int64_t dim : a.dims) {
    if (dim != 0 && numel > kMaxNpyBytes / uint64_t(dim))
      throw fail(
          fmt::format("shape has more than {} bytes of data", kMaxNpyBytes));
    numel *= uint64_t(dim);
  }
  const uint64_t expected = numel * uint64_t(a.item_bytes);
  if (expected > kMaxNpyBytes)
    throw fail(
        fmt::format("shape has more than {} bytes of data", kMaxNpyBytes));
  const uint64_t present = bytes.size() - data_start;
  if (present != expected)
    throw fail(fmt::format("shape and dtype '{}' need {} bytes of data, the "
                           "file holds {}",
                           d, expected, present));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                bytes.end());
  return a;
}

} // namespace kiln::rt
