// One decode step's KV-cache append (4 heads of 32, one position) into a
// cache of 128 positions and one of 8192, for bench/kv_bench.
#include <kiln/dsl.h>

using namespace kiln::dsl;

struct KvAppend : Model {
  Buffer<1, 4, 128, 32> small{"cache.small"};
  Buffer<1, 4, 8192, 32> large{"cache.large"};

  Tensor<1, 4, 1, 32> append_small(Tensor<1, 4, 1, 32> k, Ints<> pos) {
    return slice<2, 0, 1>(write_slice<2>(small, k * 1.0f, pos));
  }
  Tensor<1, 4, 1, 32> append_large(Tensor<1, 4, 1, 32> k, Ints<> pos) {
    return slice<2, 0, 1>(write_slice<2>(large, k * 1.0f, pos));
  }
};

KILN_MODEL(KvAppend, "kv_append") {
  infer("append_small", &KvAppend::append_small);
  infer("append_large", &KvAppend::append_large);
}
