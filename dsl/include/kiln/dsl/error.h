// The exception thrown for errors found while a generator runs (symbolic
// shape mismatches, duplicate names, misuse of the builder). what() reads
// "FILE:LINE:COL: error: MESSAGE", pointing at the user's model source.
#pragma once

#include <stdexcept>

namespace kiln::dsl {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace kiln::dsl
