// The KV cache's cases (kv_cache_cases.h) on the model built under each
// autoscheduler: its shapes are static, so their kernels (no hand-scheduled
// twins) run here.
#include "kv_cache_adams2019.h"
#include "kv_cache_cases.h"
#include "kv_cache_mullapudi2016.h"

namespace kiln::test::kv_cache {

using Autoscheduled =
    ::testing::Types<kiln::models::kv_cache_adams2019::Model,
                     kiln::models::kv_cache_mullapudi2016::Model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Autoscheduled, KvCache, Autoscheduled);

} // namespace kiln::test::kv_cache
