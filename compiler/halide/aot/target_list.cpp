#include "target_list.h"

#include <stdexcept>

namespace kiln::halide::aot {

using Halide::Target;

namespace {

Target parse_one(const std::string &spec) {
  if (spec == "host")
    return Halide::get_host_target();
  if (!Target::validate_target_string(spec))
    throw std::invalid_argument("invalid Halide target '" + spec + "'");
  return Target(spec);
}

} // namespace

std::vector<Target> parse_target_list(const std::string &spec) {
  std::vector<Target> targets;
  size_t begin = 0;
  while (true) {
    const size_t comma = spec.find(',', begin);
    const std::string entry = spec.substr(begin, comma - begin);
    if (entry.empty())
      throw std::invalid_argument("empty entry in the target list '" + spec +
                                  "'");
    targets.push_back(parse_one(entry));
    if (comma == std::string::npos)
      break;
    begin = comma + 1;
  }
  const Target &base = targets.back();
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target &t = targets[i];
    if (t.os != base.os || t.arch != base.arch || t.bits != base.bits)
      throw std::invalid_argument(
          "targets of one kernel library must share arch, bits and OS: '" +
          t.to_string() + "' and '" + base.to_string() + "'");
    for (size_t j = 0; j < i; ++j)
      if (targets[j] == t)
        throw std::invalid_argument("target '" + t.to_string() +
                                    "' is listed twice in '" + spec + "'");
  }
  return targets;
}

Target common_target(const std::vector<Target> &targets) {
  const Target &base = targets.back();
  Target common(base.os, base.arch, base.bits);
  for (int f = 0; f < Target::FeatureEnd; ++f) {
    bool everywhere = true;
    for (const Target &t : targets)
      everywhere = everywhere && t.has_feature(Target::Feature(f));
    if (everywhere)
      common.set_feature(Target::Feature(f));
  }
  return common;
}

} // namespace kiln::halide::aot
