// GradientAverager under mpirun (tests/runtime/CMakeLists.txt runs it on 2
// and 3 processes): outputs of several sizes, reported ready out of order
// and some not at all, must come back as the mean over processes of what
// each put in, computed here in closed form. Sizes straddle the bucket
// threshold (in-place and bucketed reductions) and include an empty one.
#include "data_parallel.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace {

// What process `rank` puts in element i of output k.
float value(int rank, size_t k, size_t i) {
  return float(rank + 1) * 0.5f + float(k) + float(i % 97) * 0.01f;
}

} // namespace

int main() {
  using kiln::cli::GradientAverager;
  kiln::cli::DataParallel &job = kiln::cli::DataParallel::join();
  const size_t big = GradientAverager::kBucketFloats;
  const std::vector<size_t> sizes{1,       3,           big + 5, 0,
                                  big / 2, big / 2 + 7, 2 * big, 17};
  std::vector<kiln::rt::Tensor> outputs;
  for (size_t n : sizes)
    outputs.emplace_back(std::vector<int64_t>{int64_t(n)});
  GradientAverager averager(job);
  int failures = 0;
  for (int call = 0; call < 2; ++call) { // buckets are reused
    for (size_t k = 0; k < outputs.size(); ++k)
      for (size_t i = 0; i < sizes[k]; ++i)
        outputs[k].data()[i] = value(job.rank(), k, i) + float(call);
    averager.begin(outputs);
    for (size_t k : {6, 2, 0, 4, 1, 5}) // 3 and 7 only at finish()
      averager.ready(k);
    averager.ready(6); // twice: ignored
    averager.finish();
    for (size_t k = 0; k < outputs.size(); ++k)
      for (size_t i = 0; i < sizes[k]; ++i) {
        double want = 0;
        for (int r = 0; r < job.size(); ++r)
          want += double(value(r, k, i)) + call;
        want /= job.size();
        const double got = outputs[k].data()[i];
        if (std::abs(got - want) > 1e-5 * std::abs(want) && failures++ < 5)
          std::fprintf(stderr,
                       "process %d, call %d: output %zu [%zu] = %g, want %g\n",
                       job.rank(), call, k, i, got, want);
      }
    // In place: sizes >= big (2); buckets: the rest, at least one.
    if (averager.reductions() < 3) {
      std::fprintf(stderr, "process %d: %zu reductions, want >= 3\n",
                   job.rank(), averager.reductions());
      ++failures;
    }
  }
  if (failures == 0)
    std::printf("process %d of %d: averages correct\n", job.rank(), job.size());
  return failures == 0 ? 0 : 1;
}
