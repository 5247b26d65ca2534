// What the DSL tests share: the message of a generator error, and checks on
// the MLIR text a ModuleBuilder writes.
#pragma once

#include <gtest/gtest.h>

#include <kiln/dsl.h>

#include <cstddef>
#include <string>

namespace kiln::dsl::test {

// Runs `build` and returns the kiln::dsl::Error message it throws.
template <class F> std::string error_of(F &&build) {
  try {
    build();
  } catch (const Error &e) {
    return e.what();
  }
  ADD_FAILURE() << "no kiln::dsl::Error thrown";
  return "";
}

// How often `part` occurs in `text` (overlaps counted).
inline size_t count_of(const std::string &text, const std::string &part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1))
    ++n;
  return n;
}

} // namespace kiln::dsl::test

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "missing: " << (part) << "\nin: " << (text)
