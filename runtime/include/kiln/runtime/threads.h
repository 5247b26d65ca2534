// The size of the Halide runtime's thread pool, which runs every kernel.
#pragma once

namespace kiln::rt {

// Sets the number of threads Halide kernels use; 0 restores Halide's default
// (one per core). Call it before the first kernel runs: it exports
// HL_NUM_THREADS, which the pool reads when it starts. On a running pool
// (when the Halide runtime is linked in) it can raise the count but not
// lower it: Halide's pool keeps waking the threads it has made, so a
// process that has run kernels on 2 threads goes on using 2 after
// set_num_threads(1) (bench/model_bench.h). Throws Error for n < 0.
void set_num_threads(int n);

} // namespace kiln::rt
