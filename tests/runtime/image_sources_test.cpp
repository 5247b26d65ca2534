// The image sources --data takes besides Fashion-MNIST and IDX pairs:
// .npy files (written here byte by byte, as numpy.save lays them out),
// safetensors files, and folders of PNG images (grey ones from kiln's own
// writer, colour ones from libpng's), each against the values written and
// each broken way with its message.
#include "test_files.h"

#include "kiln/runtime/image.h"
#include "kiln/runtime/image_data.h"
#include "kiln/runtime/npy.h"
#include "kiln/runtime/png.h"
#include "kiln/runtime/safetensors.h"

#include <gtest/gtest.h>

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace kiln::rt;
using kiln::test::error_of;
using kiln::test::idx_bytes;
using kiln::test::TempDir;
using kiln::test::write_bytes;

namespace {

// A .npy file: magic, version, header length, `dict` padded with spaces
// so that the data starts at a multiple of 64, then `data`.
std::string npy_file(std::string dict, const std::string &data, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64 != 0)
    dict += ' ';
  dict += '\n';
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += '\0';
  for (size_t b = 0; b < prefix - 8; ++b)
    out += char((dict.size() >> (8 * b)) & 0xff);
  return out + dict + data;
}

// numpy.save's layout of an array of `descr` and `shape`.
std::string npy(const std::string &descr, const std::string &shape,
                const std::string &data, bool fortran = false, int major = 1) {
  return npy_file("{'descr': '" + descr +
                      "', 'fortran_order': " + (fortran ? "True" : "False") +
                      ", 'shape': " + shape + ", }",
                  data, major);
}

template <class T> std::string raw(const std::vector<T> &values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.data(), s.size());
  return s;
}

TEST(Npy, ReadsEveryTypeItTakes) {
  TempDir dir;
  auto read = [&](const std::string &bytes) {
    write_bytes(dir / "a.npy", bytes);
    return read_npy(dir / "a.npy");
  };
  NpyArray a =
      read(npy("|u1", "(2, 3)", raw<uint8_t>({0, 1, 2, 253, 254, 255})));
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(a.floating());
  EXPECT_EQ(a.value(5), 255.0);
  a = read(npy("<i2", "(2,)", raw<int16_t>({-300, 7})));
  EXPECT_EQ(a.value(0), -300.0);
  a = read(npy("<i8", "(3,)", raw<int64_t>({-1, 9, int64_t{1} << 40})));
  EXPECT_EQ(a.value(0), -1.0);
  EXPECT_EQ(a.value(2), std::ldexp(1.0, 40));
  a = read(npy("<u4", "(1,)", raw<uint32_t>({4000000000u})));
  EXPECT_EQ(a.value(0), 4e9);
  a = read(npy("|b1", "(2,)", raw<uint8_t>({1, 0})));
  EXPECT_EQ(a.value(0), 1.0);
  a = read(npy("<f4", "(2, 1, 1)", raw<float>({0.25f, -1.5f})));
  EXPECT_TRUE(a.floating());
  EXPECT_EQ(a.value(1), -1.5);
  a = read(npy("<f8", "(1,)", raw<double>({0.1})));
  EXPECT_EQ(a.value(0), 0.1);
  // Half: 0x3C00 = 1, 0xC000 = -2, 0x0001 = 2^-24.
  a = read(npy("<f2", "(3,)", raw<uint16_t>({0x3C00, 0xC000, 0x0001})));
  EXPECT_EQ(a.value(0), 1.0);
  EXPECT_EQ(a.value(1), -2.0);
  EXPECT_EQ(a.value(2), std::ldexp(1.0, -24));
  // A scalar, version 2.0, double quotes and keys in another order.
  a = read(npy("<f4", "()", raw<float>({3.0f}), false, 2));
  EXPECT_TRUE(a.dims.empty());
  EXPECT_EQ(a.value(0), 3.0);
  const std::string swapped = npy_file(
      "{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f4\"}",
      raw<float>({2.0f}));
  a = read(swapped);
  EXPECT_EQ(a.value(0), 2.0);
}

TEST(Npy, BrokenFilesSayWhatIsWrong) {
  TempDir dir;
  const std::string p = (dir / "a.npy").string();
  auto reject = [&](const std::string &bytes) {
    write_bytes(dir / "a.npy", bytes);
    return error_of([&] { read_npy(dir / "a.npy"); });
  };
  EXPECT_EQ(reject("PK\x03\x04 not numpy"),
            p + ": not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(reject(npy("<f4", "(2,)", raw<float>({1, 2}), true)),
            p + ": array is in Fortran order; save it in C order "
                "(numpy.ascontiguousarray)");
  EXPECT_EQ(reject(npy(">f4", "(1,)", raw<float>({1}))),
            p + ": dtype '>f4' is big-endian; kiln reads little-endian "
                "arrays (numpy: .astype('<f4'))");
  EXPECT_EQ(reject(npy("<c8", "(1,)", std::string(8, '\0'))),
            p + ": dtype '<c8': kiln reads booleans, integers and floats "
                "(e.g. '|u1', '<i8', '<f4')");
  EXPECT_EQ(reject(npy("|O", "(1,)", std::string(8, '\0'))),
            p + ": dtype '|O': kiln reads booleans, integers and floats "
                "(e.g. '|u1', '<i8', '<f4')");
  EXPECT_EQ(reject(npy("<f4", "(3,)", raw<float>({1, 2}))),
            p + ": shape and dtype '<f4' need 12 bytes of data, the file "
                "holds 8");
  EXPECT_EQ(reject(npy("<f4", "(1,)", raw<float>({1, 2}))),
            p + ": shape and dtype '<f4' need 4 bytes of data, the file "
                "holds 8");
  std::string version = npy("<f4", "(1,)", raw<float>({1}));
  version[6] = 9;
  EXPECT_EQ(reject(version),
            p + ": .npy format version 9.0; kiln reads 1.0 to 3.0");
  std::string long_header = npy("<f4", "(1,)", "");
  long_header[8] = '\xff';
  long_header[9] = '\x7f';
  EXPECT_NE(reject(long_header).find("runs past the end of the file"),
            std::string::npos);
  EXPECT_NE(reject(npy("<f4", "(1, x)", raw<float>({1})))
                .find("expected a dimension at character"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              read_npy(dir / "missing.npy");
            }).find("missing.npy: cannot open"),
            std::string::npos);
}

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<uint8_t>(i * 7 % 256);
  return v;
}

// Bytes stay bytes; floats in [0, 1] stay floats; [N, 1, H, W] and
// [N, H*W] are [N, H, W] images.
TEST(ImageData, NpyFilesAndPairs) {
  TempDir dir;
  const std::vector<uint8_t> bytes = pattern(3 * 4 * 4);
  write_bytes(dir / "img.npy", npy("|u1", "(3, 4, 4)", raw(bytes)));
  write_bytes(dir / "lab.npy", npy("<i8", "(3,)", raw<int64_t>({2, 0, 200})));
  ImageSet set = load_image_data((dir / "img.npy").string(), Split::train);
  EXPECT_EQ(set.count, 3);
  EXPECT_EQ(set.rows, 4);
  EXPECT_EQ(set.cols, 4);
  EXPECT_EQ(set.pixels, bytes);
  EXPECT_FALSE(set.labelled());
  set = load_image_data((dir / "img.npy").string() + "," +
                            (dir / "lab.npy").string(),
                        Split::test);
  EXPECT_EQ(set.pixels, bytes);
  EXPECT_EQ(set.labels, (std::vector<uint8_t>{2, 0, 200}));

  std::vector<float> unit(2 * 9);
  for (size_t i = 0; i < unit.size(); ++i)
    unit[i] = float(i) / 17.0f;
  write_bytes(dir / "f.npy", npy("<f4", "(2, 1, 3, 3)", raw(unit)));
  write_bytes(dir / "flat.npy", npy("<f4", "(2, 9)", raw(unit)));
  write_bytes(dir / "nhwc.npy", npy("<f4", "(2, 3, 3, 1)", raw(unit)));
  for (const char *name : {"f.npy", "flat.npy", "nhwc.npy"}) {
    set = load_image_data((dir / name).string(), Split::train);
    EXPECT_EQ(set.rows, 3);
    EXPECT_EQ(set.cols, 3);
    EXPECT_TRUE(set.pixels.empty());
    const Tensor t = set.images(0, 2, PixelRange::unit);
    const Tensor s = set.images(0, 2, PixelRange::symmetric);
    for (size_t i = 0; i < unit.size(); ++i) {
      EXPECT_EQ(t.data()[i], unit[i]) << name << " " << i;
      EXPECT_EQ(s.data()[i], unit[i] * 2.0f - 1.0f) << name << " " << i;
    }
  }
}

TEST(ImageData, TensorFilesHoldImagesAndLabels) {
  TempDir dir;
  Tensor images({2, 784});
  for (int64_t i = 0; i < images.numel(); ++i)
    images.data()[i] = float(i % 256) / 255.0f;
  Tensor labels({2});
  labels.data()[0] = 7;
  labels.data()[1] = 1;
  const std::vector<TensorRef> both = {{"labels", &labels},
                                       {"images", &images}};
  write_safetensors(dir / "both.safetensors", both);
  ImageSet set =
      load_image_data((dir / "both.safetensors").string(), Split::train);
  EXPECT_EQ(set.rows, 28);
  EXPECT_EQ(set.labels, (std::vector<uint8_t>{7, 1}));
  const Tensor back = set.images(0, 2, PixelRange::unit);
  EXPECT_TRUE(std::ranges::equal(back.values(), images.values()));
  // A file's only tensor, under any name.
  const std::vector<TensorRef> only = {{"pixels", &images}};
  write_safetensors(dir / "only.safetensors", only);
  set = load_image_data((dir / "only.safetensors").string(), Split::train);
  EXPECT_EQ(set.count, 2);
  EXPECT_FALSE(set.labelled());
  // U8 images, I64 labels, crafted by hand (kiln writes F32 and I32 only).
  const std::string header =
      R"({"images":{"dtype":"U8","shape":[2,2,2],"data_offsets":[0,8]},)"
      R"("labels":{"dtype":"I64","shape":[2],"data_offsets":[8,24]}})";
  std::string file(8, '\0');
  for (int b = 0; b < 8; ++b)
    file[size_t(b)] = char((header.size() >> (8 * b)) & 0xff);
  file += header + raw<uint8_t>({0, 10, 20, 255, 1, 2, 3, 4}) +
          raw<int64_t>({3, 4});
  write_bytes(dir / "u8.safetensors", file);
  set = load_image_data((dir / "u8.safetensors").string(), Split::train);
  EXPECT_EQ(set.pixels, (std::vector<uint8_t>{0, 10, 20, 255, 1, 2, 3, 4}));
  EXPECT_EQ(set.labels, (std::vector<uint8_t>{3, 4}));
}

TEST(ImageData, BadArraysSayWhatIsWrong) {
  TempDir dir;
  auto error = [](const std::string &spec) {
    return error_of([&] { load_image_data(spec, Split::train); });
  };
  const std::string big = (dir / "big.npy").string();
  write_bytes(big, npy("<i4", "(1, 2, 2)", raw<int32_t>({0, 255, 256, 3})));
  EXPECT_EQ(error(big), big + ": value 256 of image 0 (pixel 2) is outside "
                              "0..255 (integer images are bytes)");
  const std::string hot = (dir / "hot.npy").string();
  write_bytes(hot, npy("<f4", "(1, 2, 2)", raw<float>({0, 1, 1.5f, 0})));
  EXPECT_EQ(error(hot), hot + ": value 1.5 of image 0 (pixel 2) is outside "
                              "[0, 1] (float images are in [0, 1])");
  const std::string nan = (dir / "nan.npy").string();
  write_bytes(nan, npy("<f4", "(1, 1, 1)", raw<float>({NAN})));
  EXPECT_NE(error(nan).find("value nan of image 0"), std::string::npos);
  const std::string rgb = (dir / "rgb.npy").string();
  write_bytes(rgb, npy("|u1", "(1, 3, 2, 2)", std::string(12, '\0')));
  EXPECT_EQ(error(rgb), rgb + ": images are [1, 3, 2, 2], expected [N, H, W], "
                              "[N, 1, H, W], [N, H, W, 1] or [N, H*W] (one "
                              "grey channel)");
  const std::string wide = (dir / "wide.npy").string();
  write_bytes(wide, npy("|u1", "(2, 12)", std::string(24, '\0')));
  EXPECT_EQ(error(wide), wide + ": images are [2, 12]; 12 pixels per row is "
                                "not a square image (give [N, H, W])");
  const std::string img = (dir / "img.npy").string();
  write_bytes(img, npy("|u1", "(2, 1, 1)", std::string(2, '\0')));
  const std::string half = (dir / "half.npy").string();
  write_bytes(half, npy("<f4", "(2,)", raw<float>({1, 2.5f})));
  EXPECT_EQ(error(img + "," + half),
            half + ": label 2.5 of image 1 is not a class 0..255");
  const std::string three = (dir / "three.npy").string();
  write_bytes(three, npy("|u1", "(3,)", std::string(3, '\0')));
  EXPECT_EQ(error(img + "," + three),
            img + " has 2 images but " + three + " has 3 labels");
  Tensor a({2, 4}), b({2, 4});
  const std::vector<TensorRef> two = {{"a", &a}, {"b", &b}};
  write_safetensors(dir / "two.safetensors", two);
  EXPECT_EQ(error((dir / "two.safetensors").string()),
            (dir / "two.safetensors").string() +
                ": which tensor holds the images? It has [a, b]; kiln reads "
                "'images' (or 'x', or a file's only tensor) and 'labels'");
  EXPECT_EQ(error(img + "," + (dir / "two.safetensors").string()),
            (dir / "two.safetensors").string() +
                ": holds 2 tensors; one of a pair IMAGES,LABELS must hold one");
  const std::string none = (dir / "none.npy").string();
  write_bytes(none, npy("|u1", "(0, 28, 28)", ""));
  EXPECT_EQ(error(none), none + ": holds no images ([0, 28, 28])");
  const std::string missing = (dir / "missing.npy").string();
  EXPECT_EQ(error(missing),
            "--data " + missing +
                ": no such file or directory (give a Fashion-MNIST "
                "directory, a folder of PNG images, a .npy or .safetensors "
                "file, or IMAGES,LABELS)");
  // An IDX file alone is unlabelled images now.
  write_bytes(dir / "img.idx", idx_bytes({2, 2, 2}, pattern(8)));
  EXPECT_FALSE(
      load_image_data((dir / "img.idx").string(), Split::train).labelled());
}

// A 16-bit grey PNG with no gAMA or sRGB chunk, as OpenCV and PIL write
// one: signature, IHDR, one IDAT of filter-0 rows, IEND (CRCs by zlib).
std::string png16(int w, int h, const std::vector<uint16_t> &values) {
  auto chunk = [](const std::string &type, const std::string &data) {
    std::string c;
    for (int s = 24; s >= 0; s -= 8)
      c += char((data.size() >> s) & 0xff);
    const std::string body = type + data;
    c += body;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef *>(body.data()),
                            uInt(body.size()));
    for (int s = 24; s >= 0; s -= 8)
      c += char((crc >> s) & 0xff);
    return c;
  };
  std::string ihdr;
  for (int v : {w, h})
    for (int s = 24; s >= 0; s -= 8)
      ihdr += char((v >> s) & 0xff);
  ihdr += std::string("\x10\x00\x00\x00\x00", 5); // 16 bits, grey
  std::string raw;
  for (int y = 0; y < h; ++y) {
    raw += '\0';
    for (int x = 0; x < w; ++x) {
      raw += char(values[size_t(y * w + x)] >> 8);
      raw += char(values[size_t(y * w + x)] & 0xff);
    }
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::string z(size, '\0');
  compress(reinterpret_cast<Bytef *>(z.data()), &size,
           reinterpret_cast<const Bytef *>(raw.data()), uLong(raw.size()));
  z.resize(size);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
         chunk("IDAT", z) + chunk("IEND", "");
}

GrayImage gray(int w, int h, int seed) {
  GrayImage g{w, h, {}};
  for (int i = 0; i < w * h; ++i)
    g.pixels.push_back(static_cast<uint8_t>(seed * 31 + i * 5));
  return g;
}

// DIR/CLASS/*.png: labels are the class folders' indices in name order,
// images in name order within each; DIR/*.png: no labels.
TEST(ImageData, PngFolders) {
  TempDir dir;
  const auto root = dir / "classes";
  std::filesystem::create_directories(root / "b_shoe");
  std::filesystem::create_directories(root / "a_bag");
  std::filesystem::create_directories(root / ".cache"); // hidden: ignored
  write_png(root / "b_shoe" / "2.png", gray(3, 2, 2));
  write_png(root / "b_shoe" / "1.PNG", gray(3, 2, 1));
  write_png(root / "a_bag" / "9.png", gray(3, 2, 9));
  write_bytes(root / "a_bag" / "notes.txt", "not an image");
  ImageSet set = load_image_data(root.string(), Split::train);
  EXPECT_EQ(set.count, 3);
  EXPECT_EQ(set.rows, 2);
  EXPECT_EQ(set.cols, 3);
  EXPECT_EQ(set.labels, (std::vector<uint8_t>{0, 1, 1}));
  std::vector<uint8_t> want;
  for (int s : {9, 1, 2})
    for (uint8_t v : gray(3, 2, s).pixels)
      want.push_back(v);
  EXPECT_EQ(set.pixels, want);
  EXPECT_EQ(describe_image_data(root.string(), Split::train),
            "the PNG images of " + root.string());
  EXPECT_EQ(set.class_names, (std::vector<std::string>{"a_bag", "b_shoe"}));

  // A colour PNG with alpha, written by libpng: grey channels stay as they
  // are, a fully transparent pixel is black.
  const auto flat = dir / "flat";
  std::filesystem::create_directories(flat);
  const std::vector<uint8_t> rgba = {10, 10, 10, 255, 200, 200, 200, 255,
                                     77, 77, 77, 0,   255, 255, 255, 255};
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = 2;
  image.height = 2;
  image.format = PNG_FORMAT_RGBA;
  ASSERT_TRUE(png_image_write_to_file(&image, (flat / "c.png").c_str(), 0,
                                      rgba.data(), 0, nullptr))
      << image.message;
  write_png(flat / "d.png", GrayImage{2, 2, {1, 2, 3, 4}});
  set = load_image_data(flat.string(), Split::test);
  EXPECT_FALSE(set.labelled());
  EXPECT_EQ(set.pixels, (std::vector<uint8_t>{10, 200, 0, 255, 1, 2, 3, 4}));

  // 16-bit grey: the high byte, rounded (not brightened as linear light).
  const auto deep = dir / "deep";
  std::filesystem::create_directories(deep);
  write_bytes(deep / "a.png", png16(2, 2, {0, 0x4000, 0x8000, 0xffff}));
  set = load_image_data(deep.string(), Split::test);
  EXPECT_EQ(set.pixels, (std::vector<uint8_t>{0, 64, 128, 255}));
}

TEST(ImageData, BadPngFoldersSayWhatIsWrong) {
  TempDir dir;
  auto error = [](const std::filesystem::path &spec) {
    return error_of([&] { load_image_data(spec.string(), Split::train); });
  };
  const auto mixed = dir / "mixed";
  std::filesystem::create_directories(mixed / "cls");
  write_png(mixed / "a.png", gray(2, 2, 0));
  write_png(mixed / "cls" / "b.png", gray(2, 2, 0));
  EXPECT_EQ(error(mixed), mixed.string() +
                              ": holds PNG images both itself (a.png) and in "
                              "a class folder (cls); use one layout: "
                              "DIR/*.png (no labels) or DIR/CLASS/*.png");
  const auto sizes = dir / "sizes";
  std::filesystem::create_directories(sizes);
  write_png(sizes / "a.png", gray(2, 2, 0));
  write_png(sizes / "b.png", gray(3, 2, 0));
  EXPECT_EQ(error(sizes), (sizes / "b.png").string() + " is 3 x 2 pixels but " +
                              (sizes / "a.png").string() +
                              " is 2 x 2: every image of a folder must have "
                              "one size");
  const auto empty_class = dir / "empty_class";
  std::filesystem::create_directories(empty_class / "a");
  std::filesystem::create_directories(empty_class / "b");
  write_png(empty_class / "a" / "x.png", gray(2, 2, 0));
  EXPECT_EQ(error(empty_class),
            (empty_class / "b").string() +
                ": a class folder with no PNG images (every folder of " +
                empty_class.string() + " is a class, in name order)");
  const auto corrupt = dir / "corrupt";
  std::filesystem::create_directories(corrupt);
  write_bytes(corrupt / "a.png", "\x89PNG\r\n\x1a\n truncated");
  EXPECT_NE(error(corrupt).find((corrupt / "a.png").string() + ": "),
            std::string::npos);
  const auto nothing = dir / "nothing";
  std::filesystem::create_directories(nothing);
  EXPECT_EQ(error(nothing),
            "--data " + nothing.string() +
                ": a directory with neither Fashion-MNIST IDX files "
                "(train-images-idx3-ubyte.gz) nor PNG images (DIR/*.png, or "
                "DIR/CLASS/*.png for labels)");
}

} // namespace
