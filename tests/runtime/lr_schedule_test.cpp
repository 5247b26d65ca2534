// rt::LrSchedule against its closed forms: linear warmup, constant, and the
// cosine from the base rate to min_lr over the steps after warmup.
#include "kiln/runtime/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

using kiln::rt::LrSchedule;

TEST(LrSchedule, ConstantIsTheBase) {
  const LrSchedule s;
  for (int64_t step : {0, 1, 1000})
    EXPECT_EQ(s.at(step, 3e-4), 3e-4);
  EXPECT_EQ(s.describe(), "constant");
}

TEST(LrSchedule, WarmupIsLinearFromTheFirstStep) {
  const LrSchedule s{.warmup = 4, .total = 10};
  EXPECT_DOUBLE_EQ(s.at(0, 1.0), 0.25);
  EXPECT_DOUBLE_EQ(s.at(1, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(s.at(3, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(s.at(4, 1.0), 1.0);
  EXPECT_EQ(s.describe(), "constant after 4 warmup steps");
}

TEST(LrSchedule, CosineFromBaseToMinOverTheRest) {
  const LrSchedule s{.kind = LrSchedule::Kind::cosine,
                     .warmup = 2,
                     .total = 12,
                     .min_lr = 0.1};
  // Steps 2..11 are the cosine's 10 points, from 1 down to 0.1.
  for (int64_t step = 2; step < 12; ++step) {
    const double p = double(step - 2) / 9;
    EXPECT_NEAR(s.at(step, 1.0),
                0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * p)), 1e-15)
        << step;
  }
  EXPECT_DOUBLE_EQ(s.at(2, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(s.at(11, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(50, 1.0), 0.1) << "past the end: the final rate";
  EXPECT_DOUBLE_EQ(s.at(0, 1.0), 0.5) << "warmup first";
  EXPECT_EQ(s.describe(), "cosine to 0.1 after 2 warmup steps");
}
