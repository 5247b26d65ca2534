// What kiln writes: only regular files are replaced. Directories, FIFOs,
// sockets and device nodes are refused with a message and left as they
// were; a symbolic link is followed (the file it names is written, the link
// stays). The nodes are made in a temporary directory, never the real ones.
#include "fake_vae_model.h"
#include "test_files.h"

#include "cli_runner.h"

#include "kiln/runtime/atomic_file.h"
#include "kiln/runtime/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using kiln::test::contains;
using kiln::test::error_of;
using kiln::test::read_bytes;
using kiln::test::TempDir;

// The files of `dir` (names), to check that nothing else was written.
std::vector<std::string> listing(const fs::path &dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(OutputSafety, RefusesWhatIsNoRegularFile) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  fs::create_directory(dir / "sub");
  // A bound Unix socket leaves a socket node behind.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string socket_path = (dir / "sock").string();
  ASSERT_LT(socket_path.size(), sizeof(addr.sun_path));
  std::copy(socket_path.begin(), socket_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
  ::close(fd);
  fs::create_symlink("fifo", dir / "to_fifo");
  const std::vector<std::string> before = listing(dir.path());

  const std::pair<const char *, const char *> cases[] = {
      {"fifo", "is a FIFO"},
      {"sub", "is a directory"},
      {"sock", "is a socket"},
      {"to_fifo", "is a FIFO; kiln writes regular files only (the link "
                  "points to"}};
  for (const auto &[name, what] : cases) {
    const std::string message =
        error_of([&] { kiln::rt::write_file_atomically(dir / name, "data"); });
    EXPECT_TRUE(contains(message, (dir / name).string() + ": " + what))
        << message;
  }
  // A character device, where the test may make one (root: CAP_MKNOD).
  if (::mknod((dir / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0) {
    const std::string message = error_of(
        [&] { kiln::rt::write_file_atomically(dir / "null", "data"); });
    EXPECT_TRUE(contains(message, "is a character device")) << message;
    EXPECT_TRUE(fs::is_character_file(dir / "null"));
    fs::remove(dir / "null");
  }
  EXPECT_EQ(listing(dir.path()), before); // no temporary files left
  EXPECT_TRUE(fs::is_fifo(dir / "fifo"));
  EXPECT_TRUE(fs::is_socket(dir / "sock"));
  EXPECT_TRUE(fs::is_symlink(dir / "to_fifo"));
}

TEST(OutputSafety, FollowsSymbolicLinks) {
  TempDir dir;
  fs::create_directory(dir / "real");
  kiln::test::write_bytes(dir / "real/file", "old");
  fs::create_symlink("real/file", dir / "link");
  fs::create_symlink("link", dir / "link2"); // a chain
  kiln::rt::write_file_atomically(dir / "link2", "new");
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_TRUE(fs::is_symlink(dir / "link2"));
  EXPECT_EQ(read_bytes(dir / "real/file"), "new");
  // A dangling link: the file it names is created.
  fs::create_symlink("real/later", dir / "dangling");
  kiln::rt::write_file_atomically(dir / "dangling", "made");
  EXPECT_TRUE(fs::is_symlink(dir / "dangling"));
  EXPECT_EQ(read_bytes(dir / "real/later"), "made");
  // A loop is an error, not a hang.
  fs::create_symlink("loop_b", dir / "loop_a");
  fs::create_symlink("loop_a", dir / "loop_b");
  EXPECT_TRUE(contains(
      error_of([&] { kiln::rt::write_file_atomically(dir / "loop_a", "x"); }),
      "too many levels of symbolic links"));
}

TEST(OutputSafety, KilnSampleRefusesAFifoAndWritesNothing) {
  kiln::rt::register_model(kiln_model_fake_vae());
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "out.png").c_str(), 0600), 0);
  // A checkpoint to sample from.
  kiln::test::write_fake_fashion_mnist(dir / "data", 16, 8);
  auto r = kiln::test::run_cli({"train", "fake_vae", "--data",
                                (dir / "data").string(), "--steps", "1",
                                "--batch", "8", "-o", (dir / "run").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> before = listing(dir.path());
  r = kiln::test::run_cli({"sample", "fake_vae", "-c",
                           (dir / "run/checkpoint.safetensors").string(), "-o",
                           (dir / "out.png").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(
      contains(r.err, (dir / "out.png").string() +
                          ": is a FIFO; kiln writes regular files only"))
      << r.err;
  EXPECT_TRUE(fs::is_fifo(dir / "out.png"));
  EXPECT_EQ(listing(dir.path()), before);
}

} // namespace
