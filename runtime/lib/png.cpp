#include "kiln/runtime/png.h"

#include "kiln/runtime/atomic_file.h"
#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <zlib.h>

#include <cstdint>
#include <limits>

namespace kiln::rt {
namespace {

void put32(std::string &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xFF);
}

// length, type, data, CRC-32 of type and data.
void chunk(std::string &out, const char type[4], const std::string &data) {
  put32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out += data;
  const auto *p = reinterpret_cast<const Bytef *>(out.data() + start);
  put32(out, static_cast<uint32_t>(
                 crc32(0L, p, static_cast<uInt>(out.size() - start))));
}

} // namespace

std::string encode_png(const GrayImage &image) {
  constexpr int64_t kMaxSide = std::numeric_limits<int32_t>::max();
  if (image.width < 1 || image.height < 1 || image.width > kMaxSide ||
      image.height > kMaxSide)
    throw Error(
        fmt::format("cannot write a {} x {} PNG", image.width, image.height));
  if (image.pixels.size() != static_cast<size_t>(image.width * image.height))
    throw Error(fmt::format("a {} x {} image needs {} pixels, got {}",
                            image.width, image.height,
                            image.width * image.height, image.pixels.size()));

  std::string ihdr;
  put32(ihdr, static_cast<uint32_t>(image.width));
  put32(ihdr, static_cast<uint32_t>(image.height));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5); // depth 8, grey, deflate,
                                                  // filter 0, no interlace
  // Each row starts with its filter type: 0, none.
  std::string raw;
  raw.reserve(static_cast<size_t>((image.width + 1) * image.height));
  for (int64_t y = 0; y < image.height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char *>(image.pixels.data()) +
                   y * image.width,
               static_cast<size_t>(image.width));
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string idat(size, '\0');
  if (compress2(reinterpret_cast<Bytef *>(idat.data()), &size,
                reinterpret_cast<const Bytef *>(raw.data()),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw Error("PNG: zlib compression failed");
  idat.resize(size);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", idat);
  chunk(png, "IEND", "");
  return png;
}

void write_png(const std::filesystem::path &path, const GrayImage &image) {
  write_file_atomically(path, encode_png(image));
}

} // namespace kiln::rt
