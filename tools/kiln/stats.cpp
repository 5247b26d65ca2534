#include "stats.h"

#include <algorithm>
#include <cmath>

namespace kiln::cli {

Summary summarize(std::span<const float> values) {
  Summary s;
  double sum = 0;
  for (float v : values) {
    if (std::isnan(v)) {
      ++s.nan;
    } else if (std::isinf(v)) {
      ++s.inf;
    } else {
      s.min = s.count ? std::min<double>(s.min, v) : v;
      s.max = s.count ? std::max<double>(s.max, v) : v;
      sum += v;
      ++s.count;
    }
  }
  if (s.count == 0)
    return s;
  s.mean = sum / static_cast<double>(s.count);
  double squares = 0;
  for (float v : values)
    if (std::isfinite(v))
      squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(s.count));
  return s;
}

} // namespace kiln::cli
