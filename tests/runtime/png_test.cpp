// PNG output, decoded here by hand (chunks, an independent CRC-32, zlib
// inflate of IDAT), and the layout of image grids.
#include "test_files.h"

#include "kiln/runtime/png.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cmath>

using namespace kiln::rt;
using kiln::test::error_of;
using kiln::test::read_bytes;
using kiln::test::TempDir;

namespace {

// CRC-32 (ISO 3309, as PNG specifies), bit by bit: independent of zlib's.
uint32_t crc32_reference(const std::string &bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

uint32_t be32(const std::string &s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) |
         (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

struct Chunk {
  std::string type, data;
};

// Splits a PNG into chunks, checking each CRC.
std::vector<Chunk> chunks(const std::string &png) {
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::vector<Chunk> out;
  size_t at = 8;
  while (at + 12 <= png.size()) {
    const uint32_t length = be32(png, at);
    Chunk c{png.substr(at + 4, 4), png.substr(at + 8, length)};
    EXPECT_EQ(be32(png, at + 8 + length), crc32_reference(c.type + c.data))
        << "CRC of " << c.type;
    out.push_back(std::move(c));
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  return out;
}

// The pixels of an 8-bit grey PNG without interlacing and with filter 0.
GrayImage decode(const std::string &png) {
  const std::vector<Chunk> c = chunks(png);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.front().type, "IHDR");
  EXPECT_EQ(c.back().type, "IEND");
  EXPECT_EQ(c.back().data, "");
  const std::string &ihdr = c.front().data;
  EXPECT_EQ(ihdr.size(), 13u);
  GrayImage img{be32(ihdr, 0), be32(ihdr, 4), {}};
  EXPECT_EQ(ihdr.substr(8), std::string("\x08\x00\x00\x00\x00", 5))
      << "bit depth 8, colour type 0 (grey), deflate, filter 0, no interlace";
  std::string raw(static_cast<size_t>((img.width + 1) * img.height), '\0');
  uLongf size = raw.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef *>(raw.data()), &size,
                       reinterpret_cast<const Bytef *>(c[1].data.data()),
                       c[1].data.size()),
            Z_OK);
  EXPECT_EQ(size, raw.size());
  for (int64_t y = 0; y < img.height; ++y) {
    EXPECT_EQ(raw[static_cast<size_t>(y * (img.width + 1))], '\0') << "filter";
    for (int64_t x = 0; x < img.width; ++x)
      img.pixels.push_back(static_cast<uint8_t>(
          raw[static_cast<size_t>(y * (img.width + 1) + 1 + x)]));
  }
  return img;
}

TEST(Png, RoundTripThroughInflate) {
  GrayImage img{5, 3, {}};
  for (int i = 0; i < 15; ++i)
    img.pixels.push_back(static_cast<uint8_t>(i * 17));
  const GrayImage back = decode(encode_png(img));
  EXPECT_EQ(back.width, 5);
  EXPECT_EQ(back.height, 3);
  EXPECT_EQ(back.pixels, img.pixels);
}

TEST(Png, KnownCrcOfIend) {
  const std::string png = encode_png(GrayImage{1, 1, {0}});
  // Every PNG ends with the same 12 bytes: IEND's CRC is AE 42 60 82.
  EXPECT_EQ(png.substr(png.size() - 12),
            std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));
}

TEST(Png, WritesAtomically) {
  TempDir dir;
  GrayImage img{2, 2, {0, 64, 128, 255}};
  write_png(dir / "a.png", img);
  EXPECT_EQ(decode(read_bytes(dir / "a.png")).pixels, img.pixels);
}

TEST(Png, RejectsBadImages) {
  EXPECT_EQ(error_of([] {
              encode_png(GrayImage{0, 1, {}});
            }),
            "cannot write a 0 x 1 PNG");
  EXPECT_EQ(error_of([] {
              encode_png(GrayImage{2, 2, {1, 2, 3}});
            }),
            "a 2 x 2 image needs 4 pixels, got 3");
}

TEST(ImageGrid, LayoutSeparatorsAndScaling) {
  // Three 2x2 images in rows of two: a 5x5 grid, the fourth cell empty.
  Tensor images({3, 4}, {0, 1, 0.5f, -1,               //
                         2, 0.2f, 0.8f, std::nanf(""), //
                         1, 1, 1, 1});
  const GrayImage g = image_grid(images, 2);
  ASSERT_EQ(g.width, 5);
  ASSERT_EQ(g.height, 5);
  const uint8_t S = kGridSeparator;
  const std::vector<uint8_t> expected = {0,   255, S, 255, 51, //
                                         128, 0,   S, 204, 0,  //
                                         S,   S,   S, S,   S,  //
                                         255, 255, S, 0,   0,  //
                                         255, 255, S, 0,   0};
  EXPECT_EQ(g.pixels, expected);
}

TEST(ImageGrid, ShapesAndRange) {
  const GrayImage g = image_grid(Tensor({2, 3, 2}), 5); // [N, H, W]
  EXPECT_EQ(g.width, 2 * 2 + 1);                        // cols capped at N
  EXPECT_EQ(g.height, 3);
  const GrayImage s = image_grid(Tensor({1, 1}, {0.0f}), 1, -1.0f, 1.0f);
  EXPECT_EQ(s.pixels[0], 128); // 0 is the middle of [-1, 1]
  EXPECT_EQ(error_of([] {
              image_grid(Tensor({2, 5}), 1);
            }),
            "images [2, 5]: 5 pixels per image is not a square; pass them as "
            "[N, H, W]");
}

} // namespace
