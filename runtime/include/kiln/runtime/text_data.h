// Where a language model's text comes from, as the user names it (--data):
//
//   (empty)   Debian's fortunes corpus (MODELS.md): $KILN_FORTUNES or
//             /usr/share/games/fortunes
//   DIR       every regular file directly in DIR except the .dat and .u8
//             indexes, links skipped, concatenated in sorted path order
//   FILE      the file's bytes
//
// Text is bytes (tokens 0..255). The last 10% is the held-out (test) split.
#pragma once

#include "kiln/runtime/fashion_mnist.h" // Split
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace kiln::rt {

struct TextCorpus {
  std::vector<uint8_t> bytes;
  std::string source; // "fortunes (/usr/share/games/fortunes, 60 files)"

  // train: bytes [0, n - n / 10); test: the rest.
  std::span<const uint8_t> split(Split split) const;
};

std::filesystem::path default_fortunes_dir();

// Throws Error naming the path and what is wrong (missing, unreadable,
// a directory without text files, empty).
TextCorpus load_text_corpus(const std::string &spec);

// The windows of `length` bytes that start at `starts` as i32 [n, length],
// and the byte after each of their bytes (shifted by one) as `next`. Each
// start must leave length + 1 bytes in `text`.
void text_windows(std::span<const uint8_t> text,
                  std::span<const int64_t> starts, int64_t length, Tensor &x,
                  Tensor &next);

// The number of windows of `length` bytes with a next byte that a text of
// `size` bytes holds: one per start in [0, size - length).
inline int64_t window_starts(int64_t size, int64_t length) {
  return size > length ? size - length : 0;
}

} // namespace kiln::rt
