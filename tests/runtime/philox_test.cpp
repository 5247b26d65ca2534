// Philox4x32-10 against the known-answer vectors of Random123
// (tests/kat_vectors, the three "philox4x32 10" lines): counter, key, result.
#include "kiln/runtime/philox.h"

#include <gtest/gtest.h>

#include <set>

using namespace kiln::rt;

TEST(Philox, Random123KnownAnswers) {
  struct Case {
    PhiloxCounter counter;
    PhiloxKey key;
    PhiloxCounter expected;
  };
  const Case cases[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Case &c : cases)
    EXPECT_EQ(philox4x32_10(c.counter, c.key), c.expected);
}

TEST(Philox, IsConstexpr) {
  static_assert(philox4x32_10({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5);
}

TEST(Philox, BlockMapsSeedStreamAndIndexLowWordFirst) {
  const uint64_t seed = 0x299f31d0a4093822;
  const uint64_t stream = 0x0370734413198a2e;
  const uint64_t block = 0x85a308d3243f6a88;
  EXPECT_EQ(philox_block(seed, stream, block),
            (PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, NeighbouringCountersAndStreamsDiffer) {
  std::set<PhiloxCounter> seen;
  for (uint64_t stream = 0; stream < 16; ++stream)
    for (uint64_t block = 0; block < 16; ++block)
      seen.insert(philox_block(7, stream, block));
  EXPECT_EQ(seen.size(), 256u);
}
