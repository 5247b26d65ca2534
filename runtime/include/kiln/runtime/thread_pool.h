// kiln's parallel-for, on which Halide kernels run their parallel loops:
// workers that stay awake between loops (runtime/lib/thread_pool.cpp says
// why). set_num_threads (threads.h) sizes it.
#pragma once

#include <HalideRuntime.h>

#include <cstdint>

namespace kiln::rt {

// Makes the Halide runtime run its parallel loops on parallel_for, when
// the Halide runtime is linked in and KILN_THREAD_POOL is not "halide"
// (which keeps Halide's own pool); returns whether it did. Once per
// process: later calls return the first answer. kernel.cpp calls it at
// start-up, before any kernel runs, and set_num_threads again for programs
// that run kernels without kernel.cpp (the kernel benchmarks).
bool install_thread_pool();

// The pool's thread count, the caller's included, clamped to [1, 256];
// 0: HL_NUM_THREADS (or HL_NUMTHREADS) if set, as Halide's pool reads it,
// else one per core. Takes effect at the next parallel loop, up or down.
// Not from inside a task.
void configure_thread_pool(int threads);

// Runs task(user_context, i, closure) for i in [min, min + size) on the
// pool and returns 0, or the first nonzero result of a task (tasks that
// see a failure are skipped, as in Halide's pool). A loop started inside a
// task, or by a second thread while one runs, runs on its own thread.
int parallel_for(void *user_context, halide_task_t task, int min, int size,
                 uint8_t *closure);

// How many of the pool's workers are asleep (for tests: they sleep after
// 1 ms without a loop).
int sleeping_pool_workers();

} // namespace kiln::rt
