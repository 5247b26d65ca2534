// How many threads Halide kernels run on.
#pragma once

namespace kiln::rt {

// Sets the number of threads kernels use, the caller's included; 0 restores
// the default, one per core (it unsets HL_NUM_THREADS, which a program
// that never calls this gets if set). Kernels run their parallel loops on
// kiln's pool (runtime/lib/thread_pool.cpp), whose idle threads stay awake
// for a millisecond between loops; it changes size, up or down, at the
// next parallel loop. Not from inside a kernel. For Halide's own pool,
// which KILN_THREAD_POOL=halide in the environment keeps instead, it also
// exports HL_NUM_THREADS, read when that pool starts, and calls
// halide_set_num_threads, which can raise a running pool's count but not
// lower it. Throws Error for n < 0.
void set_num_threads(int n);

} // namespace kiln::rt
