#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/image_data.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <cstdlib>

namespace kiln::rt {

const char *split_name(Split split) {
  return split == Split::train ? "train" : "test";
}

std::optional<Split> parse_split(std::string_view name) {
  if (name == "train")
    return Split::train;
  if (name == "test")
    return Split::test;
  return std::nullopt;
}

const char *fashion_mnist_class_name(int label) {
  static constexpr const char *kNames[kFashionMnistClasses] = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return label >= 0 && label < kFashionMnistClasses ? kNames[label] : "?";
}

float scale_pixel(uint8_t value, PixelRange range) {
  // In float, as before ranges were general: (u - 0.5) / 0.5 == u * 2 - 1
  // exactly (scaling by 2 commutes with rounding).
  const float unit = static_cast<float>(value) / 255.0f;
  return unit * static_cast<float>(range.max - range.min) +
         static_cast<float>(range.min);
}

Tensor ImageSet::images(std::span<const int64_t> indices,
                        PixelRange range) const {
  const int64_t n = pixels_per_image();
  Tensor out({static_cast<int64_t>(indices.size()), n});
  float lut[256];
  for (int v = 0; v < 256; ++v)
    lut[v] = scale_pixel(static_cast<uint8_t>(v), range);
  float *dst = out.data();
  for (const int64_t i : indices) {
    if (i < 0 || i >= count)
      throw Error(fmt::format("image index {} is out of range (the set has {})",
                              i, count));
    if (!unit_pixels.empty()) {
      const float *src = unit_pixels.data() + i * n;
      const auto lo = static_cast<float>(range.min),
                 span = static_cast<float>(range.max - range.min);
      for (int64_t p = 0; p < n; ++p)
        *dst++ = src[p] * span + lo; // as scale_pixel
      continue;
    }
    const uint8_t *src = pixels.data() + i * n;
    for (int64_t p = 0; p < n; ++p)
      *dst++ = lut[src[p]];
  }
  return out;
}

Tensor ImageSet::images(int64_t begin, int64_t end, PixelRange range) const {
  if (begin < 0 || end < begin || end > count)
    throw Error(fmt::format("images [{}, {}) are out of range (the set has {})",
                            begin, end, count));
  std::vector<int64_t> indices;
  for (int64_t i = begin; i < end; ++i)
    indices.push_back(i);
  return images(indices, range);
}

std::filesystem::path default_fashion_mnist_dir() {
  if (const char *dir = std::getenv("KILN_FASHION_MNIST"); dir && *dir)
    return dir;
  return "/usr/share/datasets/fashion-mnist";
}

std::filesystem::path fashion_mnist_file(const std::filesystem::path &dir,
                                         Split split, bool labels) {
  const char *prefix = split == Split::train ? "train" : "t10k";
  return dir / fmt::format("{}-{}-idx{}-ubyte.gz", prefix,
                           labels ? "labels" : "images", labels ? 1 : 3);
}

ImageSet load_fashion_mnist(const std::filesystem::path &dir, Split split) {
  if (!std::filesystem::is_directory(dir))
    throw Error(fmt::format(
        "Fashion-MNIST directory {} does not exist (install Debian's "
        "dataset-fashion-mnist, or point KILN_FASHION_MNIST or --data at a "
        "directory with the gzip'd IDX files)",
        dir.string()));
  const std::filesystem::path image_path =
      fashion_mnist_file(dir, split, false);
  const std::filesystem::path label_path = fashion_mnist_file(dir, split, true);
  ImageSet set = load_idx_images(image_path, label_path);
  for (int c = 0; c < kFashionMnistClasses; ++c)
    set.class_names.emplace_back(fashion_mnist_class_name(c));
  if (set.rows != 28 || set.cols != 28)
    throw Error(fmt::format("{}: images are [{}, {}, {}], expected [N, 28, 28]",
                            image_path.string(), set.count, set.rows,
                            set.cols));
  for (size_t i = 0; i < set.labels.size(); ++i)
    if (set.labels[i] > 9)
      throw Error(fmt::format("{}: label {} of image {} is not a class 0..9",
                              label_path.string(), set.labels[i], i));
  return set;
}

} // namespace kiln::rt
