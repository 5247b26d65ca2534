// The KV cache compiled as the CLI's models are (tests/e2e/models/
// kv_cache.cpp; kv_cache_cases.h holds the cases), and the generated
// header's scalar arguments.
#include "kv_cache.h"
#include "kv_cache_cases.h"

namespace kiln::test::kv_cache {

INSTANTIATE_TYPED_TEST_SUITE_P(Heuristic, KvCache,
                               kiln::models::kv_cache::Model);

// The generated header takes a scalar argument as a plain int32_t.
TEST(KvCacheHeader, GeneratedMethodsTakeScalarsAsValues) {
  kiln::models::kv_cache::Model model(/*seed=*/4);
  Tensor x = randomTensor({kBatch, 1, kIn}, 80);
  Tensor byValue = model.append(x, 2);
  kiln::models::kv_cache::Model other(/*seed=*/4);
  Tensor p = Tensor::of_ints({}, {2});
  Tensor byTensor = run(other, "append", {&x, &p});
  EXPECT_EQ(toDoubles(byValue), toDoubles(byTensor));
}

} // namespace kiln::test::kv_cache
