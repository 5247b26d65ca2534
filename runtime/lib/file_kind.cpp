#include "kiln/runtime/file_kind.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

namespace kiln::rt {
namespace {

const char *kind_of(std::filesystem::file_type type) {
  using std::filesystem::file_type;
  switch (type) {
  case file_type::directory:
    return "a directory";
  case file_type::fifo:
    return "a FIFO";
  case file_type::socket:
    return "a socket";
  case file_type::character:
    return "a character device";
  case file_type::block:
    return "a block device";
  default:
    return "not a regular file";
  }
}

} // namespace

void require_regular_file(const std::filesystem::path &path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || st.type() == fs::file_type::not_found ||
      st.type() == fs::file_type::regular)
    return;
  throw Error(fmt::format("{}: is {}; kiln reads regular files only",
                          path.string(), kind_of(st.type())));
}

std::filesystem::path writable_file(const std::filesystem::path &path) {
  namespace fs = std::filesystem;
  fs::path target = path;
  std::error_code ec;
  for (int hops = 0;; ++hops) {
    const fs::file_status st = fs::symlink_status(target, ec);
    if (ec || st.type() == fs::file_type::not_found)
      return target; // a new file (or an error the write will report)
    if (st.type() == fs::file_type::regular)
      return target;
    if (st.type() != fs::file_type::symlink)
      throw Error(fmt::format(
          "{}: is {}; kiln writes regular files only{}", path.string(),
          kind_of(st.type()),
          target == path
              ? ""
              : fmt::format(" (the link points to {})", target.string())));
    if (hops == 40)
      throw Error(
          fmt::format("{}: too many levels of symbolic links", path.string()));
    const fs::path link = fs::read_symlink(target, ec);
    if (ec)
      throw Error(fmt::format("{}: cannot read the symbolic link: {}",
                              target.string(), ec.message()));
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
}

} // namespace kiln::rt
