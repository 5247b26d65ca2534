#include "test_files.h"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kiln::test {

TempDir::TempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern = (std::filesystem::path(base && *base ? base : "/tmp") /
                         "kiln-test-XXXXXX")
                            .string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_bytes(const std::filesystem::path &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
}

std::string read_bytes(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string gzip(const std::string &bytes) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("deflate failed");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string idx_bytes(const std::vector<uint32_t> &dims,
                      const std::vector<uint8_t> &data) {
  std::string s = {0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      s += static_cast<char>((d >> shift) & 0xFF);
  s.append(data.begin(), data.end());
  return s;
}

void write_fake_fashion_mnist(const std::filesystem::path &dir, int train,
                              int test) {
  std::filesystem::create_directories(dir);
  const auto write_split = [&](const char *prefix, int n, int salt) {
    std::vector<uint8_t> pixels(static_cast<size_t>(n) * 784), labels;
    for (size_t i = 0; i < pixels.size(); ++i)
      pixels[i] = static_cast<uint8_t>((i * 7 + salt + i / 784 * 13) % 256);
    for (int i = 0; i < n; ++i)
      labels.push_back(static_cast<uint8_t>(i % 10));
    const uint32_t un = static_cast<uint32_t>(n);
    write_bytes(dir / (std::string(prefix) + "-images-idx3-ubyte.gz"),
                gzip(idx_bytes({un, 28, 28}, pixels)));
    write_bytes(dir / (std::string(prefix) + "-labels-idx1-ubyte.gz"),
                gzip(idx_bytes({un}, labels)));
  };
  write_split("train", train, 0);
  write_split("t10k", test, 5);
}

} // namespace kiln::test
