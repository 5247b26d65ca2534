// A KV cache for tests/e2e/kv_cache_test.cpp: a Buffer that an infer entry
// point appends one position to, in place, at a run-time position (Ints<>),
// and a decode step's scores against it with the positions after the
// current one masked. Sizes are small: batch 2, 6 positions, keys of 4.
#include <kiln/dsl.h>

using namespace kiln::dsl;

struct KvCache : Model {
  Linear<3, 4> proj{"proj"};
  Buffer<2, 6, 4> keys{"cache.k"};

  // The keys of one position (a projection, computed in a kernel) written
  // at `pos`; returns the whole cache.
  Tensor<2, 6, 4> append(Tensor<2, 1, 3> x, Ints<> pos) {
    return write_slice<1>(keys, proj(x), pos);
  }

  // q k^T against the cache, -1e30 after `pos`.
  Tensor<2, 1, 6> scores(Tensor<2, 1, 4> q, Ints<> pos) {
    auto s = matmul<false, true>(q, keys);
    return where(greater(iota<-1>(s), to_float(pos)), -1e30f, s);
  }
};

KILN_MODEL(KvCache, "kv_cache") {
  infer("append", &KvCache::append);
  infer("scores", &KvCache::scores);
}
