#include "kiln/runtime/image_data.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/idx.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

namespace kiln::rt {
namespace {

// "IMAGES,LABELS" -> the two paths; anything else -> none.
std::optional<std::pair<std::string, std::string>>
idx_pair(const std::string &spec) {
  const size_t comma = spec.find(',');
  if (comma == std::string::npos)
    return std::nullopt;
  return std::pair{spec.substr(0, comma), spec.substr(comma + 1)};
}

void require_idx_pair(const std::string &image_path,
                      const std::string &label_path) {
  if (image_path.empty() || label_path.empty() ||
      label_path.find(',') != std::string::npos)
    throw Error(fmt::format("--data '{}': write two IDX files as "
                            "IMAGES,LABELS",
                            image_path + "," + label_path));
}

} // namespace

ImageSet load_idx_images(const std::filesystem::path &image_path,
                         const std::filesystem::path &label_path) {
  IdxArray images = read_idx(image_path);
  IdxArray labels = read_idx(label_path);
  if (images.dims.size() != 3 || images.dims[0] < 1 || images.dims[1] < 1 ||
      images.dims[2] < 1)
    throw Error(fmt::format("{}: images are [{}], expected [N, H, W]",
                            image_path.string(), fmt::join(images.dims, ", ")));
  if (labels.dims.size() != 1)
    throw Error(fmt::format("{}: labels are [{}], expected [N]",
                            label_path.string(), fmt::join(labels.dims, ", ")));
  if (labels.dims[0] != images.dims[0])
    throw Error(fmt::format("{} has {} images but {} has {} labels",
                            image_path.string(), images.dims[0],
                            label_path.string(), labels.dims[0]));
  ImageSet set;
  set.count = images.dims[0];
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  set.pixels = std::move(images.data);
  set.labels = std::move(labels.data);
  return set;
}

ImageSet load_image_data(const std::string &spec, Split split) {
  if (spec.empty())
    return load_fashion_mnist(default_fashion_mnist_dir(), split);
  if (const auto pair = idx_pair(spec)) {
    require_idx_pair(pair->first, pair->second);
    return load_idx_images(pair->first, pair->second);
  }
  if (std::filesystem::is_regular_file(spec))
    throw Error(fmt::format(
        "--data {}: a file alone is not a data set; give a directory of "
        "Fashion-MNIST IDX files, or an image and a label IDX file as "
        "IMAGES,LABELS",
        spec));
  return load_fashion_mnist(spec, split);
}

std::string describe_image_data(const std::string &spec, Split split) {
  if (const auto pair = idx_pair(spec))
    return fmt::format("{} with labels {}", pair->first, pair->second);
  return fmt::format("Fashion-MNIST ({}), {} split",
                     spec.empty() ? default_fashion_mnist_dir().string() : spec,
                     split_name(split));
}

} // namespace kiln::rt
