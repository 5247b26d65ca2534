// kiln's parallel-for for Halide kernels (kiln/runtime/thread_pool.h).
//
// A worker of Halide 14's pool that finds no job yields 40 times (a few
// microseconds) and then sleeps on a condition variable, so a parallel
// loop that comes later than that, after the host code between two
// kernels or a kernel's serial part, starts by waking the other threads:
// a futex wake-up round trip between the two cores of the Zen 5 machine
// took 43-44 us (docs/performance.md), and a GPT decode step is about 45
// us of kernels. Here a worker stays awake for 1 ms after a loop (kSpin),
// so the next loop finds it ready (docs/performance.md, "A thread pool
// that stays awake": GPT generation and the prefill on 2 threads).
//
// One loop runs at a time. Its tasks are claimed from one 64-bit word that
// holds the loop's generation, its size and the next task; a thread reads
// the loop's fields only after it has claimed a task, and a loop's fields
// change only once all its tasks are done, so a claimed task always runs
// with its own loop's fields. A loop of more tasks than the word counts
// (2^20) is claimed in runs of consecutive tasks.
#include "kiln/runtime/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Weak, as in threads.cpp: defined by the Halide runtime, which a model's
// kernels bring; a program without models still links.
#pragma weak halide_set_custom_do_par_for

namespace kiln::rt {
namespace {

using Clock = std::chrono::steady_clock;

// How long an idle worker stays awake for the next loop before it sleeps:
// far longer than the gaps between the kernels of a step (microseconds),
// short enough that an idle process gives its cores back at once. The
// first kPauseOnly of it in pause instructions, then offering the core to
// other runnable threads (sched_yield: those queued on the same core) each
// time round: ctest runs two processes on two cores. 20, 200 and 1000 us
// of pauses measured the same (GPT generation, 2 threads, Zen 5).
constexpr auto kSpin = std::chrono::milliseconds(1);
constexpr auto kPauseOnly = std::chrono::microseconds(20);

void relax(Clock::time_point since) {
  if (Clock::now() - since < kPauseOnly) {
#if defined(__x86_64__)
    for (int i = 0; i < 16; ++i)
      _mm_pause();
#endif
  } else {
    std::this_thread::yield();
  }
}

// The claim word: generation (24 bits) | size (20) | next task (20).
constexpr int kIndexBits = 20;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr uint64_t kGenerationMask = (uint64_t{1} << 24) - 1;
constexpr int kMaxThreads = 256; // as Halide's pool

uint64_t claim_word(uint64_t generation, uint64_t size) {
  return (generation << (2 * kIndexBits)) | (size << kIndexBits);
}
uint64_t generation_of(uint64_t w) { return w >> (2 * kIndexBits); }
uint64_t size_of(uint64_t w) { return (w >> kIndexBits) & kIndexMask; }
uint64_t next_of(uint64_t w) { return w & kIndexMask; }

// Set while this thread runs a task: a loop it starts runs here.
thread_local bool in_task = false;

struct InTask {
  bool was = in_task;
  InTask() { in_task = true; }
  ~InTask() { in_task = was; }
};

int run_here(void *uc, halide_task_t f, int min, int size, uint8_t *closure) {
  InTask guard;
  for (int i = min; i < min + size; ++i)
    if (int r = f(uc, i, closure))
      return r;
  return 0;
}

// As Halide's pool: HL_NUM_THREADS (or its old name HL_NUMTHREADS) when
// set, whatever its value (count() clamps it), else one per core.
int default_threads() {
  for (const char *name : {"HL_NUM_THREADS", "HL_NUMTHREADS"})
    if (const char *s = std::getenv(name))
      return std::atoi(s);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

class Pool {
public:
  // Never destroyed: a kernel may still run from another static's
  // destructor at exit, and idle workers use the pool until the process
  // ends.
  static Pool &instance() {
    static Pool *pool = new Pool;
    return *pool;
  }

  void configure(int threads) {
    std::lock_guard busy(busy_);
    threads_ = threads;
    if (started_ && static_cast<int>(workers_.size()) + 1 != count())
      stop_workers();
  }

  int par_for(void *uc, halide_task_t f, int min, int size,
              uint8_t *closure) noexcept {
    if (in_task || size <= 1)
      return run_here(uc, f, min, size, closure);
    std::unique_lock busy(busy_, std::try_to_lock);
    if (!busy.owns_lock())
      return run_here(uc, f, min, size, closure);
    if (!started_)
      start_workers();
    if (workers_.empty())
      return run_here(uc, f, min, size, closure);
    fn_.store(f, std::memory_order_relaxed);
    user_context_.store(uc, std::memory_order_relaxed);
    closure_.store(closure, std::memory_order_relaxed);
    min_.store(min, std::memory_order_relaxed);
    end_.store(min + size, std::memory_order_relaxed);
    // Runs of `run` tasks per claim, as many claims as the word can count.
    const int run = static_cast<int>((size + kIndexMask - 1) / kIndexMask);
    const int claims = (size + run - 1) / run;
    run_.store(run, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    error_.store(0, std::memory_order_relaxed);
    generation_ = (generation_ + 1) & kGenerationMask;
    claim_.store(claim_word(generation_, claims), std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard lock(sleep_mutex_);
      wake_.notify_all();
    }
    run_tasks(generation_);
    // The last tasks may still run on workers: wait awake, as they do.
    for (Clock::time_point since = Clock::now();
         done_.load(std::memory_order_acquire) < claims;)
      relax(since);
    return error_.load(std::memory_order_relaxed);
  }

  int sleeping() const { return sleeping_.load(std::memory_order_relaxed); }

private:
  Pool() = default;

  int count() const {
    return std::clamp(threads_ > 0 ? threads_ : default_threads(), 1,
                      kMaxThreads);
  }

  // Claims and runs tasks of `generation` until none is left.
  void run_tasks(uint64_t generation) {
    InTask guard;
    uint64_t w = claim_.load(std::memory_order_acquire);
    while (generation_of(w) == generation && next_of(w) < size_of(w)) {
      if (!claim_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel))
        continue;
      // Claim next_of(w) of this loop is taken and not done, so the fields
      // are still this loop's (the owner writes the next loop's only after
      // done_ counts every claim).
      halide_task_t f = fn_.load(std::memory_order_relaxed);
      void *uc = user_context_.load(std::memory_order_relaxed);
      uint8_t *closure = closure_.load(std::memory_order_relaxed);
      const int run = run_.load(std::memory_order_relaxed);
      const int first = min_.load(std::memory_order_relaxed) +
                        static_cast<int>(next_of(w)) * run;
      const int end =
          std::min(first + run, end_.load(std::memory_order_relaxed));
      // Tasks that see a failure are skipped, as in Halide's pool.
      for (int i = first;
           i < end && error_.load(std::memory_order_relaxed) == 0; ++i)
        if (int r = f(uc, i, closure)) {
          int none = 0;
          error_.compare_exchange_strong(none, r);
        }
      done_.fetch_add(1, std::memory_order_release);
      w = claim_.load(std::memory_order_acquire);
    }
  }

  void work(uint64_t seen) {
    for (;;) {
      uint64_t w = wait_for_loop(seen);
      if (stop_.load(std::memory_order_acquire))
        return;
      seen = generation_of(w);
      run_tasks(seen);
    }
  }

  // The claim word once it holds a generation other than `seen`, or the
  // pool stops: awake for kSpin, then asleep.
  uint64_t wait_for_loop(uint64_t seen) {
    for (Clock::time_point since = Clock::now();
         Clock::now() - since < kSpin;) {
      uint64_t w = claim_.load(std::memory_order_acquire);
      if (generation_of(w) != seen || stop_.load(std::memory_order_relaxed))
        return w;
      relax(since);
    }
    std::unique_lock lock(sleep_mutex_);
    // Counted before the last look at the word, which par_for writes
    // before it reads the count (both seq_cst): one of the two sees the
    // other, so no loop starts without waking a sleeper.
    sleeping_.fetch_add(1, std::memory_order_seq_cst);
    uint64_t w;
    while (generation_of(w = claim_.load(std::memory_order_seq_cst)) == seen &&
           !stop_.load(std::memory_order_seq_cst))
      wake_.wait(lock);
    sleeping_.fetch_sub(1, std::memory_order_relaxed);
    return w;
  }

  // With busy_ held. A thread that cannot be made leaves the pool smaller
  // (no exception may cross the kernel's C frames).
  void start_workers() noexcept {
    started_ = true;
    uint64_t seen = generation_;
    try {
      for (int i = 1; i < count(); ++i)
        workers_.emplace_back([this, seen] { work(seen); });
    } catch (...) {
    }
  }

  // With busy_ held: no loop runs, so no worker is in a task or will start
  // one; each is waiting for a loop or about to.
  void stop_workers() {
    {
      std::lock_guard lock(sleep_mutex_);
      stop_.store(true, std::memory_order_seq_cst);
      wake_.notify_all();
    }
    for (std::thread &t : workers_)
      t.join();
    workers_.clear();
    stop_.store(false, std::memory_order_seq_cst);
    started_ = false; // the next loop starts count() - 1 workers
  }

  std::mutex busy_; // held while a loop runs, and to configure
  // Under busy_:
  int threads_ = 0; // 0: default_threads()
  bool started_ = false;
  std::vector<std::thread> workers_;
  uint64_t generation_ = 0;
  // Written by the loop's owner before claim_, read after a claim:
  std::atomic<halide_task_t> fn_{nullptr};
  std::atomic<void *> user_context_{nullptr};
  std::atomic<uint8_t *> closure_{nullptr};
  std::atomic<int> min_{0};
  std::atomic<int> end_{0}; // min + size
  std::atomic<int> run_{1}; // tasks per claim
  // The loop:
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
  std::atomic<int> error_{0};
  // Idle workers:
  std::atomic<bool> stop_{false};
  std::atomic<int> sleeping_{0};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

bool uses_halides_pool() {
  const char *choice = std::getenv("KILN_THREAD_POOL");
  return choice && std::strcmp(choice, "halide") == 0;
}

} // namespace

bool install_thread_pool() {
  static const bool installed = [] {
    if (!halide_set_custom_do_par_for || uses_halides_pool())
      return false;
    halide_set_custom_do_par_for(parallel_for);
    return true;
  }();
  return installed;
}

void configure_thread_pool(int threads) { Pool::instance().configure(threads); }

int parallel_for(void *user_context, halide_task_t task, int min, int size,
                 uint8_t *closure) {
  return Pool::instance().par_for(user_context, task, min, size, closure);
}

int sleeping_pool_workers() { return Pool::instance().sleeping(); }

} // namespace kiln::rt
