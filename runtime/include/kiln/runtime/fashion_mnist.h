// Fashion-MNIST (Xiao et al. 2017): 28x28 grey images of clothing in 10
// classes, 60,000 for training and 10,000 for testing, as Debian's
// dataset-fashion-mnist installs them (gzip'd IDX files).
#pragma once

#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

enum class Split { train, test };
const char *split_name(Split split);
std::optional<Split> parse_split(std::string_view name); // "train", "test"

// How bytes 0..255 become floats: min + (max - min) v / 255. A model
// states the range its images take (kiln.data): [0, 1] is what VAEs take,
// [-1, 1] what GANs and diffusion models take (torchvision's ToTensor +
// Normalize(0.5, 0.5)).
struct PixelRange {
  double min = 0, max = 1;
  static const PixelRange unit;      // [0, 1]
  static const PixelRange symmetric; // [-1, 1]
  friend bool operator==(const PixelRange &, const PixelRange &) = default;
};
inline constexpr PixelRange PixelRange::unit{0, 1};
inline constexpr PixelRange PixelRange::symmetric{-1, 1};
float scale_pixel(uint8_t value, PixelRange range);

// Images kept as bytes (47 MB for the training split rather than 188 MB of
// floats); batches are converted on demand. Images that came as floats (a
// tensor file) keep their values in `unit_pixels` instead, so that nothing
// is rounded to 8 bits.
struct ImageSet {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;    // [count, rows * cols], 0..255
  std::vector<float> unit_pixels; // or [count, rows * cols] in [0, 1]
  std::vector<uint8_t> labels;    // [count] classes, or none (unlabelled)
  // The classes' names by label, when the source names them (Fashion-MNIST's
  // ten, a folder's class folders); empty otherwise.
  std::vector<std::string> class_names;

  int64_t pixels_per_image() const { return rows * cols; }
  bool labelled() const { return !labels.empty(); }
  // Images `indices` as a [indices.size(), rows * cols] tensor.
  Tensor images(std::span<const int64_t> indices, PixelRange range) const;
  // Images [begin, end).
  Tensor images(int64_t begin, int64_t end, PixelRange range) const;
};

// The 10 classes, by label: "T-shirt/top", "Trouser", ..., "Ankle boot".
inline constexpr int kFashionMnistClasses = 10;
const char *fashion_mnist_class_name(int label); // "?" outside [0, 10)

// $KILN_FASHION_MNIST if set, else /usr/share/datasets/fashion-mnist.
std::filesystem::path default_fashion_mnist_dir();

// The file names in `dir`: train-images-idx3-ubyte.gz and so on.
std::filesystem::path fashion_mnist_file(const std::filesystem::path &dir,
                                         Split split, bool labels);

// Loads one split. Throws Error naming the file for a missing or corrupt
// file, images that are not [N, 28, 28], labels that are not [N] or above 9,
// or image and label counts that differ; a missing directory mentions the
// Debian package.
ImageSet load_fashion_mnist(const std::filesystem::path &dir, Split split);

} // namespace kiln::rt
