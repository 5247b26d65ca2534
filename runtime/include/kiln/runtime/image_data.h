// Where a command's images come from, as the user names it (--data):
//
//   (empty)             Fashion-MNIST from $KILN_FASHION_MNIST or Debian's
//                       /usr/share/datasets/fashion-mnist, split by --split
//   DIR                 a directory of Fashion-MNIST-named IDX files
//                       (train-images-idx3-ubyte.gz, t10k-..., labels too);
//                       without them, a folder of PNG images: DIR/*.png
//                       (unlabelled) or DIR/CLASS/*.png (labelled by the
//                       class folder's index in name order), any PNG
//                       converted to grey
//   FILE.safetensors    images in tensor 'images' (or 'x', or the file's
//                       only tensor) and, if present, labels in 'labels'
//                       (what kiln encode writes beside its latents)
//   FILE                an IDX or .npy file of images, unlabelled
//   IMAGES,LABELS       images [N, ...] and labels [N] from two files, each
//                       IDX, .npy or a safetensors file of one tensor
//
// All but Fashion-MNIST are the data whatever the split. Images are
// [N, H, W], [N, 1, H, W], [N, H, W, 1] or [N, H*W] (square); integer arrays
// hold bytes 0..255 and float arrays values in [0, 1], kept as floats.
// Labels are whole numbers 0..255 of any dtype. Formats are told apart by
// extension (.npy, .safetensors; anything else is read as IDX, gzip'd or
// not). A path with a comma is read as a pair.
#pragma once

#include "kiln/runtime/fashion_mnist.h"

#include <filesystem>
#include <functional>
#include <string>

namespace kiln::rt {

// Loads `spec`'s images and labels (none for unlabelled sources:
// ImageSet::labelled). Throws Error naming the file and what is wrong with
// it (a missing file, corrupt data, an image shape or pixel value above
// not allowed, labels that are not [N], not classes or differ in count,
// PNG images of different sizes) or what `spec` should have been.
// `check`, when given, is called with the images' rows and columns as soon
// as they are known, before the pixels are converted or further PNG files
// read, so that a caller refusing the size (by throwing) does so before a
// large source is in memory.
using ImageSizeCheck = std::function<void(int64_t rows, int64_t cols)>;
ImageSet load_image_data(const std::string &spec, Split split,
                         const ImageSizeCheck &check = {});

// An image file and a label file (IDX [N, H, W] and [N], or .npy or
// single-tensor safetensors files of the shapes above), as one set. Throws
// Error naming the file and what is wrong with it.
ImageSet load_idx_images(const std::filesystem::path &image_path,
                         const std::filesystem::path &label_path,
                         const ImageSizeCheck &check = {});

// How `spec` reads in messages: "Fashion-MNIST (DIR), test split" or
// "IMAGES with labels LABELS".
std::string describe_image_data(const std::string &spec, Split split);

} // namespace kiln::rt
