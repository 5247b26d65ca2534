// The size of the Halide runtime's thread pool, which runs every kernel.
#pragma once

namespace kiln::rt {

// Sets the number of threads Halide kernels use; 0 restores Halide's default
// (one per core). Call it before the first kernel runs: it exports
// HL_NUM_THREADS, which the pool reads when it starts, and also resizes a
// running pool when the Halide runtime is linked in. Throws Error for n < 0.
void set_num_threads(int n);

} // namespace kiln::rt
