// The one exception type of the runtime: a message a user can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace kiln::rt {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string &what) : std::runtime_error(what) {}
};

} // namespace kiln::rt
