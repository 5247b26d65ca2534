// The KV cache's cases (kv_cache_cases.h) on the model built under each
// autoscheduler: its shapes are static, so their kernels (no hand-scheduled
// twins) run here.
#include "kv_cache_adams2019.h"
#include "kv_cache_cases.h"
#include "kv_cache_mullapudi2016.h"

#include <string>
#include <type_traits>

namespace kiln::test::kv_cache {

using Autoscheduled =
    ::testing::Types<kiln::models::kv_cache_adams2019::Model,
                     kiln::models::kv_cache_mullapudi2016::Model>;
// Test names say which build: .../adams2019, .../mullapudi2016.
struct ScheduleName {
  template <class Model> static std::string GetName(int) {
    return std::is_same_v<Model, kiln::models::kv_cache_adams2019::Model>
               ? "adams2019"
               : "mullapudi2016";
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Autoscheduled, KvCache, Autoscheduled,
                               ScheduleName);

} // namespace kiln::test::kv_cache
