#include "kiln/runtime/text_data.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/file_kind.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace kiln::rt {
namespace {

void append_file(const std::filesystem::path &path,
                 std::vector<uint8_t> &bytes) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("cannot read {}", path.string()));
  bytes.insert(bytes.end(), std::istreambuf_iterator<char>(in),
               std::istreambuf_iterator<char>());
  if (in.bad())
    throw Error(fmt::format("error reading {}", path.string()));
}

bool is_text_file(const std::filesystem::directory_entry &e) {
  const std::string ext = e.path().extension().string();
  return !e.is_symlink() && e.is_regular_file() && ext != ".dat" &&
         ext != ".u8";
}

} // namespace

std::span<const uint8_t> TextCorpus::split(Split split) const {
  const size_t held_out = bytes.size() / 10;
  const size_t train = bytes.size() - held_out;
  return split == Split::train
             ? std::span<const uint8_t>(bytes.data(), train)
             : std::span<const uint8_t>(bytes.data() + train, held_out);
}

std::filesystem::path default_fortunes_dir() {
  if (const char *dir = std::getenv("KILN_FORTUNES"); dir && *dir)
    return dir;
  return "/usr/share/games/fortunes";
}

TextCorpus load_text_corpus(const std::string &spec) {
  const std::filesystem::path path =
      spec.empty() ? default_fortunes_dir() : std::filesystem::path(spec);
  TextCorpus corpus;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto &e : std::filesystem::directory_iterator(path, ec))
      if (is_text_file(e))
        files.push_back(e.path());
    if (ec)
      throw Error(
          fmt::format("cannot list {}: {}", path.string(), ec.message()));
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw Error(fmt::format("{} holds no text files (every regular file "
                              "but .dat and .u8 is read)",
                              path.string()));
    for (const auto &f : files)
      append_file(f, corpus.bytes);
    corpus.source =
        fmt::format("{}{} ({} files)", spec.empty() ? "fortunes, " : "",
                    path.string(), files.size());
  } else if (std::filesystem::exists(path, ec)) {
    append_file(path, corpus.bytes);
    corpus.source = path.string();
  } else if (spec.empty()) {
    throw Error(fmt::format("the fortunes corpus {} does not exist (install "
                            "Debian's fortunes, or point KILN_FORTUNES or "
                            "--data at a directory or file of text)",
                            path.string()));
  } else {
    throw Error(
        fmt::format("--data {}: no such file or directory", path.string()));
  }
  if (corpus.bytes.empty())
    throw Error(fmt::format("{} is empty", corpus.source));
  return corpus;
}

void text_windows(std::span<const uint8_t> text,
                  std::span<const int64_t> starts, int64_t length, Tensor &x,
                  Tensor &next) {
  const auto n = static_cast<int64_t>(starts.size());
  x = Tensor({n, length}, DType::i32);
  next = Tensor({n, length}, DType::i32);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t s = starts[size_t(r)];
    if (s < 0 || s + length + 1 > static_cast<int64_t>(text.size()))
      throw Error(fmt::format("text window [{}, {}] is outside the text "
                              "({} bytes)",
                              s, s + length, text.size()));
    for (int64_t j = 0; j < length; ++j) {
      x.ints()[r * length + j] = text[size_t(s + j)];
      next.ints()[r * length + j] = text[size_t(s + j + 1)];
    }
  }
}

} // namespace kiln::rt
