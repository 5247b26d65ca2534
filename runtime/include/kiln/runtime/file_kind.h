// Keeping kiln's reads and writes on regular files: a FIFO would block
// open() forever, a directory or a device reads as garbage, and renaming a
// new file over /dev/null would replace the device.
#pragma once

#include <filesystem>

namespace kiln::rt {

// Throws Error when `path` exists and is not a regular file (symbolic links
// followed), saying what it is. A missing file passes: opening it reports
// that.
void require_regular_file(const std::filesystem::path &path);

// The file `path` names after following symbolic links (itself when it is
// none). Throws Error when that is something other than a regular file or
// a new name, saying what it is.
std::filesystem::path writable_file(const std::filesystem::path &path);

} // namespace kiln::rt
