#include "kiln/runtime/image_data.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/idx.h"
#include "kiln/runtime/npy.h"
#include "kiln/runtime/png.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>

namespace kiln::rt {
namespace {

namespace fs = std::filesystem;

// A numeric array from any of the files --data takes, read element by
// element (C order) as doubles without converting the whole array.
struct Array {
  std::string where; // "PATH" or "PATH, tensor 'x'"
  std::vector<int64_t> dims;
  bool floating = false;
  std::function<double(int64_t)> at;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
};

bool has_extension(const fs::path &path, std::string_view ext) {
  std::string e = path.extension().string();
  std::ranges::transform(e, e.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return e == ext;
}

Array tensor_array(const fs::path &path, const std::string &name,
                   Tensor tensor) {
  auto t = std::make_shared<Tensor>(std::move(tensor));
  Array a{fmt::format("{}, tensor '{}'", path.string(), name), t->shape(),
          t->dtype() == DType::f32, nullptr};
  if (a.floating)
    a.at = [t](int64_t i) { return double(t->data()[i]); };
  else
    a.at = [t](int64_t i) { return double(t->ints()[i]); };
  return a;
}

// An IDX or .npy file, or a safetensors file's only tensor.
Array read_array(const fs::path &path) {
  if (has_extension(path, ".npy")) {
    auto a = std::make_shared<NpyArray>(read_npy(path));
    return {path.string(), a->dims, a->floating(),
            [a](int64_t i) { return a->value(i); }};
  }
  if (has_extension(path, ".safetensors")) {
    SafetensorsFile file = read_safetensors(path);
    if (file.tensors.size() != 1)
      throw Error(fmt::format("{}: holds {} tensors; one of a pair "
                              "IMAGES,LABELS must hold one",
                              path.string(), file.tensors.size()));
    return tensor_array(path, file.tensors[0].name,
                        std::move(file.tensors[0].tensor));
  }
  auto a = std::make_shared<IdxArray>(read_idx(path));
  return {path.string(), a->dims, false,
          [a](int64_t i) { return double(a->data[size_t(i)]); }};
}

// [N, H, W], [N, 1, H, W] or [N, P] with P a square: bytes 0..255 when the
// array holds integers, values in [0, 1] when it holds floats.
ImageSet images_of(const Array &a, const ImageSizeCheck &check) {
  const auto &d = a.dims;
  ImageSet set;
  if (!d.empty() && d[0] == 0)
    throw Error(
        fmt::format("{}: holds no images ([{}])", a.where, fmt::join(d, ", ")));
  const bool positive = std::ranges::all_of(d, [](int64_t v) { return v > 0; });
  if (positive && d.size() == 3) {
    set.rows = d[1];
    set.cols = d[2];
  } else if (positive && d.size() == 4 && d[1] == 1) {
    set.rows = d[2];
    set.cols = d[3];
  } else if (positive && d.size() == 4 && d[3] == 1) { // NHWC (Keras)
    set.rows = d[1];
    set.cols = d[2];
  } else if (positive && d.size() == 2) {
    const auto side =
        static_cast<int64_t>(std::llround(std::sqrt(double(d[1]))));
    if (side * side != d[1])
      throw Error(fmt::format("{}: images are [{}]; {} pixels per row is not "
                              "a square image (give [N, H, W])",
                              a.where, fmt::join(d, ", "), d[1]));
    set.rows = set.cols = side;
  } else {
    throw Error(fmt::format("{}: images are [{}], expected [N, H, W], "
                            "[N, 1, H, W], [N, H, W, 1] or [N, H*W] (one grey "
                            "channel)",
                            a.where, fmt::join(d, ", ")));
  }
  set.count = d[0];
  if (check)
    check(set.rows, set.cols);
  const int64_t n = a.numel(), per_image = set.rows * set.cols;
  auto bad = [&](int64_t i, double v, const char *range) {
    return Error(fmt::format("{}: value {} of image {} (pixel {}) is outside "
                             "{}",
                             a.where, v, i / per_image, i % per_image, range));
  };
  if (a.floating) {
    set.unit_pixels.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) {
      const double v = a.at(i);
      if (!(v >= 0 && v <= 1))
        throw bad(i, v, "[0, 1] (float images are in [0, 1])");
      set.unit_pixels[size_t(i)] = static_cast<float>(v);
    }
  } else {
    set.pixels.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) {
      const double v = a.at(i);
      if (!(v >= 0 && v <= 255))
        throw bad(i, v, "0..255 (integer images are bytes)");
      set.pixels[size_t(i)] = static_cast<uint8_t>(v);
    }
  }
  return set;
}

// Labels [N]: whole numbers 0..255, of any dtype (kiln encode writes them
// as F32).
void set_labels(ImageSet &set, const std::string &images_where,
                const Array &a) {
  if (a.dims.size() != 1)
    throw Error(fmt::format("{}: labels are [{}], expected [N]", a.where,
                            fmt::join(a.dims, ", ")));
  if (a.dims[0] != set.count)
    throw Error(fmt::format("{} has {} images but {} has {} labels",
                            images_where, set.count, a.where, a.dims[0]));
  set.labels.resize(size_t(set.count));
  for (int64_t i = 0; i < set.count; ++i) {
    const double v = a.at(i);
    if (!(v >= 0 && v <= 255 && v == std::floor(v)))
      throw Error(fmt::format("{}: label {} of image {} is not a class "
                              "0..255",
                              a.where, v, i));
    set.labels[size_t(i)] = static_cast<uint8_t>(v);
  }
}

// A safetensors file alone: images in 'images' (or 'x', or its only other
// tensor), labels in 'labels' when it has them.
ImageSet load_tensor_file(const fs::path &path, const ImageSizeCheck &check) {
  SafetensorsFile file = read_safetensors(path);
  NamedTensor *images = nullptr, *labels = nullptr;
  std::vector<std::string> names;
  for (NamedTensor &t : file.tensors) {
    names.push_back(t.name);
    if (t.name == "labels")
      labels = &t;
  }
  for (const char *name : {"images", "x"})
    for (NamedTensor &t : file.tensors)
      if (images == nullptr && t.name == name)
        images = &t;
  if (images == nullptr && file.tensors.size() == (labels ? 2u : 1u))
    images = &file.tensors[&file.tensors[0] == labels ? 1 : 0];
  if (images == nullptr)
    throw Error(fmt::format("{}: which tensor holds the images? It has [{}]; "
                            "kiln reads 'images' (or 'x', or a file's only "
                            "tensor) and 'labels'",
                            path.string(), fmt::join(names, ", ")));
  const Array image_array =
      tensor_array(path, images->name, std::move(images->tensor));
  ImageSet set = images_of(image_array, check);
  if (labels)
    set_labels(set, image_array.where,
               tensor_array(path, labels->name, std::move(labels->tensor)));
  return set;
}

bool is_png(const fs::directory_entry &e) {
  return e.is_regular_file() && has_extension(e.path(), ".png");
}

bool hidden(const fs::path &path) {
  return path.filename().string().starts_with(".");
}

// The PNG files directly in `dir`, sorted by name.
std::vector<fs::path> pngs_in(const fs::path &dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    if (!hidden(e.path()) && is_png(e))
      files.push_back(e.path());
  std::ranges::sort(files);
  return files;
}

std::vector<fs::path> class_folders(const fs::path &dir) {
  std::vector<fs::path> folders;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    if (!hidden(e.path()) && e.is_directory())
      folders.push_back(e.path());
  std::ranges::sort(folders);
  return folders;
}

void append_png(ImageSet &set, const fs::path &file, const fs::path &first,
                const ImageSizeCheck &check) {
  const GrayImage image = read_png(file);
  if (set.count == 0) {
    set.rows = image.height;
    set.cols = image.width;
    if (check)
      check(set.rows, set.cols);
  } else if (image.height != set.rows || image.width != set.cols) {
    throw Error(fmt::format("{} is {} x {} pixels but {} is {} x {}: every "
                            "image of a folder must have one size",
                            file.string(), image.width, image.height,
                            first.string(), set.cols, set.rows));
  }
  set.pixels.insert(set.pixels.end(), image.pixels.begin(), image.pixels.end());
  ++set.count;
}

// DIR/*.png (unlabelled), or DIR/CLASS/*.png with CLASS's index in sorted
// order as the label (torchvision's ImageFolder layout).
ImageSet load_png_folder(const fs::path &dir, const ImageSizeCheck &check) {
  ImageSet set;
  const std::vector<fs::path> top = pngs_in(dir);
  const std::vector<fs::path> folders = class_folders(dir);
  if (!top.empty()) {
    for (const fs::path &f : folders)
      if (!pngs_in(f).empty())
        throw Error(fmt::format(
            "{}: holds PNG images both itself ({}) and in a class folder "
            "({}); use one layout: DIR/*.png (no labels) or DIR/CLASS/*.png",
            dir.string(), top[0].filename().string(), f.filename().string()));
    for (const fs::path &file : top)
      append_png(set, file, top[0], check);
    return set;
  }
  if (folders.size() > 256)
    throw Error(fmt::format("{}: {} class folders; kiln labels at most 256 "
                            "classes",
                            dir.string(), folders.size()));
  fs::path first;
  for (size_t label = 0; label < folders.size(); ++label) {
    const std::vector<fs::path> files = pngs_in(folders[label]);
    if (files.empty())
      throw Error(fmt::format("{}: a class folder with no PNG images (every "
                              "folder of {} is a class, in name order)",
                              folders[label].string(), dir.string()));
    if (first.empty())
      first = files[0];
    for (const fs::path &file : files) {
      append_png(set, file, first, check);
      set.labels.push_back(static_cast<uint8_t>(label));
    }
    set.class_names.push_back(folders[label].filename().string());
  }
  return set;
}

bool holds_pngs(const fs::path &dir) {
  if (!pngs_in(dir).empty())
    return true;
  return std::ranges::any_of(class_folders(dir), [](const fs::path &f) {
    return !pngs_in(f).empty();
  });
}

// "IMAGES,LABELS" -> the two paths; anything else -> none.
std::optional<std::pair<std::string, std::string>>
file_pair(const std::string &spec) {
  const size_t comma = spec.find(',');
  if (comma == std::string::npos)
    return std::nullopt;
  return std::pair{spec.substr(0, comma), spec.substr(comma + 1)};
}

void require_file_pair(const std::string &image_path,
                       const std::string &label_path) {
  if (image_path.empty() || label_path.empty() ||
      label_path.find(',') != std::string::npos)
    throw Error(fmt::format("--data '{}': write two files (IDX, .npy or "
                            ".safetensors) as IMAGES,LABELS",
                            image_path + "," + label_path));
}

} // namespace

ImageSet load_idx_images(const fs::path &image_path, const fs::path &label_path,
                         const ImageSizeCheck &check) {
  const Array images = read_array(image_path);
  if (images.dims.size() != 3 && !has_extension(image_path, ".npy") &&
      !has_extension(image_path, ".safetensors"))
    throw Error(fmt::format("{}: images are [{}], expected [N, H, W]",
                            image_path.string(), fmt::join(images.dims, ", ")));
  ImageSet set = images_of(images, check);
  set_labels(set, images.where, read_array(label_path));
  return set;
}

ImageSet load_image_data(const std::string &spec, Split split,
                         const ImageSizeCheck &check) {
  if (spec.empty())
    return load_fashion_mnist(default_fashion_mnist_dir(), split);
  if (const auto pair = file_pair(spec)) {
    require_file_pair(pair->first, pair->second);
    return load_idx_images(pair->first, pair->second, check);
  }
  std::error_code ec;
  if (fs::is_directory(spec, ec) &&
      !fs::exists(fashion_mnist_file(spec, split, false), ec)) {
    if (holds_pngs(spec))
      return load_png_folder(spec, check);
    throw Error(fmt::format(
        "--data {}: a directory with neither Fashion-MNIST IDX files ({}) "
        "nor PNG images (DIR/*.png, or DIR/CLASS/*.png for labels)",
        spec, fashion_mnist_file(spec, split, false).filename().string()));
  }
  if (fs::is_directory(spec, ec))
    return load_fashion_mnist(spec, split);
  if (!fs::exists(spec, ec))
    throw Error(fmt::format(
        "--data {}: no such file or directory (give a Fashion-MNIST "
        "directory, a folder of PNG images, a .npy or .safetensors file, or "
        "IMAGES,LABELS)",
        spec));
  if (has_extension(spec, ".safetensors"))
    return load_tensor_file(spec, check);
  return images_of(read_array(spec), check); // IDX or .npy, no labels
}

std::string describe_image_data(const std::string &spec, Split split) {
  if (const auto pair = file_pair(spec))
    return fmt::format("{} with labels {}", pair->first, pair->second);
  std::error_code ec;
  if (!spec.empty() && fs::is_directory(spec, ec) &&
      !fs::exists(fashion_mnist_file(spec, split, false), ec))
    return fmt::format("the PNG images of {}", spec);
  if (!spec.empty() && fs::is_regular_file(spec, ec))
    return spec;
  return fmt::format("Fashion-MNIST ({}), {} split",
                     spec.empty() ? default_fashion_mnist_dir().string() : spec,
                     split_name(split));
}

} // namespace kiln::rt
