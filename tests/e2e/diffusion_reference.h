// DDPM's noise schedule of MODELS.md in double, for the diffusion tests:
// T = 1000 betas linear from 1e-4 to 0.02, alpha_bar_t = prod_{s <= t}
// (1 - beta_s), timesteps from 0.
#pragma once

#include <vector>

namespace kiln::test {

struct DdpmScheduleReference {
  std::vector<double> beta, abar;
  DdpmScheduleReference() {
    double bar = 1;
    for (int i = 0; i < 1000; ++i) {
      beta.push_back(1e-4 + (0.02 - 1e-4) * i / 999.0);
      bar *= 1 - beta.back();
      abar.push_back(bar);
    }
  }
};

} // namespace kiln::test
