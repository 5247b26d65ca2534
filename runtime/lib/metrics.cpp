#include "kiln/runtime/metrics.h"

#include "kiln/runtime/atomic_file.h"
#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace kiln::rt {
namespace {

// The lines of `path` whose step is at most `step`, or "" if there is no
// such file.
std::string lines_through(const std::filesystem::path &path, int64_t step) {
  std::ifstream in(path);
  std::string kept, line;
  while (std::getline(in, line)) {
    try {
      const Json record = parse_json(line);
      const Json *s = json_member(record, "step");
      if (s != nullptr && json_int64(*s) && *json_int64(*s) <= step)
        kept += line + "\n";
    } catch (const Error &) {
      // A line cut short by a crash: drop it.
    }
  }
  return kept;
}

} // namespace

MetricsWriter::MetricsWriter(const std::filesystem::path &path,
                             std::optional<int64_t> keep_through_step)
    : path_(path) {
  write_file_atomically(path, keep_through_step
                                  ? lines_through(path, *keep_through_step)
                                  : std::string());
  out_.open(path, std::ios::app);
  if (!out_)
    throw Error(fmt::format("{}: cannot open for writing: {}", path.string(),
                            std::strerror(errno)));
}

void MetricsWriter::write(const Json &record) {
  out_ << json_text(record) << '\n';
  out_.flush();
  if (!out_)
    throw Error(fmt::format("{}: cannot write: {}", path_.string(),
                            std::strerror(errno)));
}

} // namespace kiln::rt
