// IDX files (gzip'd and plain, and every way they can be broken),
// Fashion-MNIST loading (a small fake set, and the real one when Debian's
// dataset-fashion-mnist is installed), and the Batcher's data order.
#include "test_files.h"

#include "kiln/runtime/batcher.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/idx.h"
#include "kiln/runtime/image_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace kiln::rt;
using kiln::test::error_of;
using kiln::test::gzip;
using kiln::test::idx_bytes;
using kiln::test::TempDir;
using kiln::test::write_bytes;

namespace {

class Idx : public ::testing::Test {
protected:
  TempDir dir;
  std::filesystem::path file = dir / "a-idx3-ubyte.gz";
  std::string p = file.string();
  std::string reject(const std::string &bytes) {
    write_bytes(file, bytes);
    return error_of([&] { read_idx(file); });
  }
};

TEST_F(Idx, ReadsGzipAndPlain) {
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6};
  write_bytes(file, gzip(idx_bytes({2, 3}, data)));
  IdxArray a = read_idx(file);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, data);
  write_bytes(file, idx_bytes({6}, data)); // not compressed
  a = read_idx(file);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{6}));
  EXPECT_EQ(a.data, data);
}

TEST_F(Idx, MissingFile) {
  EXPECT_EQ(error_of([&] { read_idx(dir / "none.gz"); }),
            (dir / "none.gz").string() + ": cannot open: No such file or "
                                         "directory");
}

TEST_F(Idx, TruncatedData) {
  // Plain: the dimensions promise 6 bytes, 4 are there.
  EXPECT_EQ(reject(idx_bytes({2, 3}, {1, 2, 3, 4})),
            p + ": truncated: dimensions [2 x 3] need 6 bytes of data, the "
                "file has 4");
  // Gzip'd, the stream itself cut short.
  const std::string z =
      gzip(idx_bytes({100, 100}, std::vector<uint8_t>(10000, 7)));
  EXPECT_EQ(reject(z.substr(0, z.size() / 2)),
            p + ": truncated gzip data (the file ends in the middle of the "
                "stream)");
  // Only the gzip trailer missing: all data there, but the stream is cut.
  EXPECT_EQ(reject(z.substr(0, z.size() - 4)),
            p + ": truncated gzip data (the file ends in the middle of the "
                "stream)");
  EXPECT_EQ(reject(std::string("\0\0", 2)),
            p + ": truncated: 2 bytes, but an IDX file starts with a 4-byte "
                "magic number");
  EXPECT_EQ(reject(std::string("\0\0\x08\x03\0\0\0\x02", 8)),
            p + ": truncated in the header (3 dimensions announced)");
}

TEST_F(Idx, CorruptGzip) {
  std::string z = gzip(idx_bytes({50, 50}, std::vector<uint8_t>(2500, 9)));
  z[z.size() - 6] ^= 0x55; // the CRC-32 in the trailer
  EXPECT_EQ(reject(z), p + ": corrupt gzip data: incorrect data check");
  std::string body = gzip(idx_bytes({50, 50}, std::vector<uint8_t>(2500, 9)));
  body[12] = static_cast<char>(0xFF); // inside the deflate stream
  body[13] = static_cast<char>(0xFF);
  const std::string message = reject(body);
  EXPECT_EQ(message.rfind(p + ": corrupt gzip data: ", 0), 0u) << message;
}

TEST_F(Idx, BadHeaders) {
  EXPECT_EQ(reject("PK\x03\x04 not idx"),
            p + ": not an IDX file (magic bytes 50 4b 03 04; expected 00 00, "
                "a type, a rank)");
  EXPECT_EQ(reject(std::string("\0\0\x0D\x01\0\0\0\x01\0\0\0\0", 12)),
            p + ": holds float values (type 0x0d); kiln reads unsigned-byte "
                "IDX files only");
  EXPECT_EQ(
      reject(std::string("\0\0\x08\x02\xff\xff\xff\xff\xff\xff\xff\xff", 12)),
      p + ": dimensions [4294967295, 4294967295] make "
          "18446744065119617025 bytes, more than kiln reads (corrupt "
          "header?)");
  EXPECT_EQ(reject(idx_bytes({2}, {1, 2, 3})),
            p + ": has bytes after the 2 bytes that dimensions [2] need");
}

TEST(FashionMnist, FakeSetLoadsAndScales) {
  TempDir dir;
  kiln::test::write_fake_fashion_mnist(dir.path(), 30, 20);
  const ImageSet train = load_fashion_mnist(dir.path(), Split::train);
  const ImageSet test = load_fashion_mnist(dir.path(), Split::test);
  EXPECT_EQ(train.count, 30);
  EXPECT_EQ(test.count, 20);
  EXPECT_EQ(train.pixels_per_image(), 784);
  EXPECT_EQ(train.labels[13], 3);
  const std::vector<int64_t> indices = {2, 0};
  const Tensor unit = train.images(indices, PixelRange::unit);
  EXPECT_EQ(unit.shape(), (std::vector<int64_t>{2, 784}));
  EXPECT_EQ(unit.data()[5], train.pixels[2 * 784 + 5] / 255.0f);
  EXPECT_EQ(unit.data()[784], train.pixels[0] / 255.0f);
  const Tensor sym = train.images(0, 1, PixelRange::symmetric);
  for (int64_t i = 0; i < 784; ++i)
    EXPECT_FLOAT_EQ(sym.data()[i], train.pixels[i] / 127.5f - 1.0f);
  EXPECT_EQ(scale_pixel(0, PixelRange::symmetric), -1.0f);
  EXPECT_EQ(scale_pixel(255, PixelRange::symmetric), 1.0f);
  EXPECT_EQ(scale_pixel(255, PixelRange::unit), 1.0f);
}

// A range is any [min, max]; [0, 1] and [-1, 1] give exactly torchvision's
// ToTensor and ToTensor + Normalize(0.5, 0.5) in float, byte for byte.
TEST(FashionMnist, PixelRangesScaleExactly) {
  for (int v = 0; v < 256; ++v) {
    const float unit = static_cast<float>(v) / 255.0f;
    const auto b = static_cast<uint8_t>(v);
    EXPECT_EQ(scale_pixel(b, PixelRange::unit), unit) << v;
    EXPECT_EQ(scale_pixel(b, PixelRange::symmetric), (unit - 0.5f) / 0.5f) << v;
    EXPECT_FLOAT_EQ(scale_pixel(b, PixelRange{2, 4}), 2 + 2 * unit) << v;
  }
}

// --data IMAGES,LABELS: any IDX pair, gzip'd or not, whatever the split.
TEST(ImageData, AnIdxPairIsTheData) {
  TempDir dir;
  std::vector<uint8_t> pixels(3 * 4 * 5);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<uint8_t>(i * 3);
  write_bytes(dir / "img.idx.gz", gzip(idx_bytes({3, 4, 5}, pixels)));
  write_bytes(dir / "lab.idx", idx_bytes({3}, {7, 0, 12}));
  const std::string spec =
      (dir / "img.idx.gz").string() + "," + (dir / "lab.idx").string();
  for (Split split : {Split::train, Split::test}) {
    const ImageSet set = load_image_data(spec, split);
    EXPECT_EQ(set.count, 3);
    EXPECT_EQ(set.rows, 4);
    EXPECT_EQ(set.cols, 5);
    EXPECT_EQ(set.pixels, pixels);
    EXPECT_EQ(set.labels, (std::vector<uint8_t>{7, 0, 12}));
  }
  EXPECT_EQ(describe_image_data(spec, Split::test),
            (dir / "img.idx.gz").string() + " with labels " +
                (dir / "lab.idx").string());
}

TEST(ImageData, BadSourcesSayWhatIsWrong) {
  TempDir dir;
  write_bytes(dir / "img.idx", idx_bytes({3, 2, 2}, std::vector<uint8_t>(12)));
  write_bytes(dir / "flat.idx", idx_bytes({3, 4}, std::vector<uint8_t>(12)));
  write_bytes(dir / "lab2.idx", idx_bytes({2}, {1, 2}));
  write_bytes(dir / "lab3x1.idx", idx_bytes({3, 1}, {1, 2, 3}));
  const std::string img = (dir / "img.idx").string();
  auto error = [](const std::string &spec) {
    return error_of([&] { load_image_data(spec, Split::train); });
  };
  EXPECT_EQ(error(img + "," + (dir / "lab2.idx").string()),
            img + " has 3 images but " + (dir / "lab2.idx").string() +
                " has 2 labels");
  EXPECT_EQ(error((dir / "flat.idx").string() + "," + img),
            (dir / "flat.idx").string() + ": images are [3, 4], expected "
                                          "[N, H, W]");
  EXPECT_EQ(error(img + "," + (dir / "lab3x1.idx").string()),
            (dir / "lab3x1.idx").string() + ": labels are [3, 1], expected "
                                            "[N]");
  EXPECT_NE(
      error(img + "," + (dir / "missing.idx").string()).find("missing.idx"),
      std::string::npos);
  EXPECT_EQ(error(img + ","), "--data '" + img +
                                  ",': write two files (IDX, .npy or "
                                  ".safetensors) as IMAGES,LABELS");
  EXPECT_FALSE(load_image_data(img, Split::train).labelled()); // images alone
}

TEST(FashionMnist, MismatchedAndMissingFiles) {
  TempDir dir;
  kiln::test::write_fake_fashion_mnist(dir.path(), 30, 20);
  write_bytes(dir / "t10k-labels-idx1-ubyte.gz",
              gzip(idx_bytes({19}, std::vector<uint8_t>(19, 1))));
  EXPECT_EQ(
      error_of([&] { load_fashion_mnist(dir.path(), Split::test); }),
      (dir / "t10k-images-idx3-ubyte.gz").string() + " has 20 images but " +
          (dir / "t10k-labels-idx1-ubyte.gz").string() + " has 19 labels");
  write_bytes(dir / "t10k-labels-idx1-ubyte.gz",
              gzip(idx_bytes({20}, std::vector<uint8_t>(20, 10))));
  EXPECT_EQ(error_of([&] { load_fashion_mnist(dir.path(), Split::test); }),
            (dir / "t10k-labels-idx1-ubyte.gz").string() +
                ": label 10 of image 0 is not a class 0..9");
  std::filesystem::remove(dir / "train-images-idx3-ubyte.gz");
  EXPECT_EQ(error_of([&] { load_fashion_mnist(dir.path(), Split::train); }),
            (dir / "train-images-idx3-ubyte.gz").string() +
                ": cannot open: No such file or directory");
  const std::string message =
      error_of([&] { load_fashion_mnist(dir / "nowhere", Split::train); });
  EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos)
      << message;
}

TEST(FashionMnist, RealDataWhenInstalled) {
  const std::filesystem::path dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir))
    GTEST_SKIP() << dir << " is not installed (dataset-fashion-mnist)";
  const ImageSet train = load_fashion_mnist(dir, Split::train);
  const ImageSet test = load_fashion_mnist(dir, Split::test);
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(train.rows, 28);
  EXPECT_EQ(train.cols, 28);
  // Pixels use the whole byte range; classes are balanced (6000 / 1000).
  EXPECT_EQ(*std::ranges::min_element(train.pixels), 0);
  EXPECT_EQ(*std::ranges::max_element(train.pixels), 255);
  EXPECT_EQ(std::ranges::count(train.labels, 3), 6000);
  EXPECT_EQ(std::ranges::count(test.labels, 9), 1000);
  const Tensor x = test.images(0, 100, PixelRange::unit);
  EXPECT_EQ(*std::ranges::min_element(x.values()), 0.0f);
  EXPECT_EQ(*std::ranges::max_element(x.values()), 1.0f);
}

TEST(Batcher, EachEpochIsAPermutationAndDiffers) {
  const std::vector<int64_t> e0 = epoch_order(1000, 5, 0);
  const std::vector<int64_t> e1 = epoch_order(1000, 5, 1);
  std::vector<int64_t> sorted = e0;
  std::ranges::sort(sorted);
  for (int64_t i = 0; i < 1000; ++i)
    ASSERT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_NE(e0, e1);
  EXPECT_NE(e0, epoch_order(1000, 6, 0));
  EXPECT_EQ(e0, epoch_order(1000, 5, 0));
}

TEST(Batcher, OrderIsPinned) {
  // A change here changes every training run's data order: do it on
  // purpose, and say so in docs/training.md.
  EXPECT_EQ(epoch_order(8, 0, 0),
            (std::vector<int64_t>{5, 0, 2, 6, 1, 3, 7, 4}));
}

TEST(Batcher, DropsTheLastPartialBatch) {
  Batcher b(10, 3, 1);
  EXPECT_EQ(b.batches_per_epoch(), 3);
  std::set<int64_t> seen;
  for (int i = 0; i < 3; ++i)
    for (int64_t j : b.next())
      seen.insert(j);
  EXPECT_EQ(seen.size(), 9u); // one example left out, no repeats
  EXPECT_EQ(b.epoch(), 1);
  EXPECT_EQ(b.position(), 0);
  EXPECT_EQ(error_of([] { Batcher(10, 11, 0); }),
            "batch size 11 must be between 1 and the number of examples (10)");
}

TEST(Batcher, ResumesExactly) {
  Batcher straight(100, 7, 42);
  std::vector<std::vector<int64_t>> batches;
  for (int i = 0; i < 40; ++i) { // 14 batches per epoch: crosses two epochs
    const auto b = straight.next();
    batches.emplace_back(b.begin(), b.end());
  }
  for (int start : {0, 5, 13, 14, 15, 30}) {
    Batcher resumed(100, 7, 42);
    resumed.seek(start / 14, start % 14);
    for (int i = start; i < 40; ++i) {
      const auto b = resumed.next();
      ASSERT_EQ(std::vector<int64_t>(b.begin(), b.end()),
                batches[static_cast<size_t>(i)])
          << "resumed at " << start << ", batch " << i;
    }
  }
  Batcher b(100, 7, 42);
  EXPECT_EQ(error_of([&] { b.seek(0, 14); }),
            "cannot resume at epoch 0, batch 14: an epoch has 14 batches of 7");
}

} // namespace
