// Where a command's images come from, as the user names it (--data):
//
//   (empty)             Fashion-MNIST from $KILN_FASHION_MNIST or Debian's
//                       /usr/share/datasets/fashion-mnist, split by --split
//   DIR                 a directory of Fashion-MNIST-named IDX files
//                       (train-images-idx3-ubyte.gz, t10k-..., labels too)
//   IMAGES,LABELS       any IDX pair: images [N, H, W] and labels [N] of
//                       unsigned bytes, gzip'd or not; the pair is the data
//                       whatever the split
#pragma once

#include "kiln/runtime/fashion_mnist.h"

#include <filesystem>
#include <string>

namespace kiln::rt {

// Loads `spec`'s images and labels. Throws Error naming the file and what
// is wrong with it (a missing file, corrupt data, images that are not
// [N, H, W], labels that are not [N] or differ in count) or what `spec`
// should have been.
ImageSet load_image_data(const std::string &spec, Split split);

// An image IDX file [N, H, W] and a label IDX file [N] of unsigned bytes,
// as one set. Throws Error naming the file and what is wrong with it.
ImageSet load_idx_images(const std::filesystem::path &image_path,
                         const std::filesystem::path &label_path);

// How `spec` reads in messages: "Fashion-MNIST (DIR), test split" or
// "IMAGES with labels LABELS".
std::string describe_image_data(const std::string &spec, Split split);

} // namespace kiln::rt
