// PNG output (8-bit greyscale, one IDAT chunk, zlib deflate), for sample
// grids. PNG is the format users keep (DESIGN.md decision 10).
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

} // namespace kiln::rt
