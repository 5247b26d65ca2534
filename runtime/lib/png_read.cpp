// PNG input through libpng's simplified API, which handles every colour
// type, bit depth and interlacing the format allows; the writer (png.cpp)
// stays on zlib alone because it only ever writes one simple kind of file.
#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"
#include "kiln/runtime/png.h"

#include <fmt/format.h>

#include <png.h>

namespace kiln::rt {

GrayImage read_png(const std::filesystem::path &path) {
  require_regular_file(path);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  auto fail = [&](const char *what) {
    const std::string message =
        fmt::format("{}: {}: {}", path.string(), what,
                    image.message[0] ? image.message : "not a PNG image");
    png_image_free(&image);
    return Error(message);
  };
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw fail("cannot read as PNG");
  image.format = PNG_FORMAT_GRAY;
  // A 16-bit file with no gAMA or sRGB chunk (what OpenCV and PIL write) is
  // sRGB-encoded like an 8-bit one; libpng would take it for linear light
  // and brighten it (32768 -> 188 instead of 128).
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  GrayImage out;
  out.width = image.width;
  out.height = image.height;
  try {
    // Zeros: with no background given, alpha is composited onto the buffer.
    out.pixels.assign(PNG_IMAGE_SIZE(image), 0);
  } catch (...) {
    png_image_free(&image); // closes the file
    throw;
  }
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr))
    throw fail("corrupt PNG");
  return out;
}

} // namespace kiln::rt
