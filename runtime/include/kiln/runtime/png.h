// PNG output (8-bit greyscale, one IDAT chunk, zlib deflate), for sample
// grids, and PNG input (any PNG, through libpng), for folders of images.
// PNG is the format users keep (DESIGN.md decision 10).
#pragma once

#include "kiln/runtime/image.h"

#include <filesystem>
#include <string>

namespace kiln::rt {

// The complete PNG file: signature, IHDR (bit depth 8, colour type 0),
// IDAT (each row with filter 0, deflated), IEND. Throws Error for an empty
// image or one whose pixel count does not match its size.
std::string encode_png(const GrayImage &image);

// encode_png, written atomically (AtomicFile).
void write_png(const std::filesystem::path &path, const GrayImage &image);

// Any PNG file (grey or colour, palette, 16-bit, interlaced, with or
// without alpha) as 8-bit grey: libpng's sRGB luminance, and transparent
// pixels composited onto black. Throws Error("PATH: problem") for a missing
// file or one that is not a readable PNG (libpng's reason).
GrayImage read_png(const std::filesystem::path &path);

} // namespace kiln::rt
