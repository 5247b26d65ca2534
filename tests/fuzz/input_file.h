// The fuzz input as a file, for the readers that take a path (safetensors,
// IDX, checkpoints): they are fuzzed through the same open/stat/read code a
// user's file goes through. One file per process in the temporary
// directory, rewritten for each input and removed at exit.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace kiln::fuzz {

inline const std::filesystem::path &input_path() {
  static const std::filesystem::path path = [] {
    std::filesystem::path p = std::filesystem::temp_directory_path() /
                              ("kiln-fuzz-" + std::to_string(::getpid()));
    std::atexit([] { std::remove(input_path().c_str()); });
    return p;
  }();
  return path;
}

// Writes the input and returns its path; aborts (a finding, not a silent
// pass) if the file cannot be written.
inline const std::filesystem::path &write_input(const uint8_t *data,
                                                size_t size) {
  const std::filesystem::path &path = input_path();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(data),
            static_cast<std::streamsize>(size));
  out.close();
  if (!out)
    std::abort();
  return path;
}

} // namespace kiln::fuzz
