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
// One loop runs at a time. Its tasks are split into one contiguous range
// per thread, the caller's first, so that a kernel called again with the
// same sizes has each thread read the same part of its operands as last
// time (what a core's caches still hold: two threads read the GPT decode
// step's weights ~10% faster in fixed halves than with the halves swapped
// on every pass, on the Zen 5 machine; and a thread that claimed tasks from
// one shared counter, as before, fetched that counter's cache line from
// the other core for every task: docs/performance.md, "Each thread its own
// range"). A thread claims from
// the front of its own range and, once that is empty, steals from the back
// of the others', so a thread that comes late, or is descheduled before
// it has claimed a task, delays no one (one descheduled while it runs a
// task, or before it counts its tasks done, still holds the loop). Each
// range is one 64-bit word on its own cache line, generation | front |
// back; a thread reads the loop's fields only after it has claimed a task,
// and a loop's fields change only once all its tasks are done, so a
// claimed task always runs with its own loop's fields. A loop of more tasks
// than the word counts (2^20) is claimed in runs of consecutive tasks.
#include "kiln/runtime/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
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
// of pauses measured the same (GPT generation, 2 threads, Zen 5). One
// pause between two looks, not 16: a waiting thread then sees a loop, or
// its end, sooner (16 GEMV-sized loops on 2 threads, Zen 5: 24.9 -> 21.4
// us with the old single counter, 23.2 -> 19.3 with the ranges).
constexpr auto kSpin = std::chrono::milliseconds(1);
constexpr auto kPauseOnly = std::chrono::microseconds(20);

void relax(Clock::time_point since) {
  if (Clock::now() - since < kPauseOnly) {
#if defined(__x86_64__)
    _mm_pause();
#endif
  } else {
    std::this_thread::yield();
  }
}

// A thread's range of a loop's claims: generation (24 bits) | front (20)
// | back (20), the claims [front, back) still to run.
constexpr int kIndexBits = 20;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr uint64_t kGenerationMask = (uint64_t{1} << 24) - 1;
constexpr uint64_t kFrontOne = uint64_t{1} << kIndexBits;
constexpr int kMaxThreads = 256; // as Halide's pool

uint64_t range_word(uint64_t generation, uint64_t front, uint64_t back) {
  return (generation << (2 * kIndexBits)) | (front << kIndexBits) | back;
}
uint64_t generation_of(uint64_t w) { return w >> (2 * kIndexBits); }
uint64_t front_of(uint64_t w) { return (w >> kIndexBits) & kIndexMask; }
uint64_t back_of(uint64_t w) { return w & kIndexMask; }

// On its own cache line: written by the loop's owner and by the threads
// that claim from it, polled by its thread while idle.
struct alignas(64) Range {
  std::atomic<uint64_t> word{0};
};

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
    // Runs of `run` tasks per claim, as many claims as a range can count.
    const int run = static_cast<int>((size + kIndexMask - 1) / kIndexMask);
    const uint64_t claims = (size + run - 1) / run;
    run_.store(run, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    error_.store(0, std::memory_order_relaxed);
    generation_ = (generation_ + 1) & kGenerationMask;
    // Thread t's range, t = 0 the caller; written last to first so that
    // the caller's own, written last, is the one it reads at once.
    const uint64_t threads = threads_running_;
    for (uint64_t t = threads; t-- > 0;)
      ranges_[t].word.store(range_word(generation_, claims * t / threads,
                                       claims * (t + 1) / threads),
                            std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard lock(sleep_mutex_);
      wake_.notify_all();
    }
    const uint64_t mine = run_tasks(0, generation_);
    // The last tasks may still run on workers: wait awake, as they do.
    for (Clock::time_point since = Clock::now();
         mine + done_.load(std::memory_order_acquire) < claims;)
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

  // Claims the front (own == true) or the back of `range` in `generation`:
  // the claim's index, or -1 when the range is empty or of another loop.
  static int64_t claim(Range &range, uint64_t generation, bool own) {
    uint64_t w = range.word.load(std::memory_order_acquire);
    while (generation_of(w) == generation && front_of(w) < back_of(w)) {
      const uint64_t taken = own ? w + kFrontOne : w - 1;
      if (range.word.compare_exchange_weak(w, taken, std::memory_order_acq_rel))
        return static_cast<int64_t>(own ? front_of(w) : back_of(w) - 1);
    }
    return -1;
  }

  // Runs claim `c` of the loop that owns it (see the file's comment).
  void run_claim(uint64_t c) {
    halide_task_t f = fn_.load(std::memory_order_relaxed);
    void *uc = user_context_.load(std::memory_order_relaxed);
    uint8_t *closure = closure_.load(std::memory_order_relaxed);
    const int run = run_.load(std::memory_order_relaxed);
    const int first =
        min_.load(std::memory_order_relaxed) + static_cast<int>(c) * run;
    const int end = std::min(first + run, end_.load(std::memory_order_relaxed));
    // Tasks that see a failure are skipped, as in Halide's pool.
    for (int i = first; i < end && error_.load(std::memory_order_relaxed) == 0;
         ++i)
      if (int r = f(uc, i, closure)) {
        int none = 0;
        error_.compare_exchange_strong(none, r);
      }
  }

  // Runs thread `self`'s range of loop `generation`, then what it can take
  // from the others'; returns how many claims it ran.
  uint64_t run_tasks(size_t self, uint64_t generation) {
    InTask guard;
    uint64_t ran = 0;
    for (int64_t c; (c = claim(ranges_[self], generation, true)) >= 0; ++ran)
      run_claim(static_cast<uint64_t>(c));
    for (size_t k = 1; k < threads_running_; ++k) {
      Range &other = ranges_[(self + k) % threads_running_];
      for (int64_t c; (c = claim(other, generation, false)) >= 0; ++ran)
        run_claim(static_cast<uint64_t>(c));
    }
    return ran;
  }

  void work(size_t self, uint64_t seen) {
    for (;;) {
      uint64_t w = wait_for_loop(ranges_[self], seen);
      if (stop_.load(std::memory_order_acquire))
        return;
      seen = generation_of(w);
      // Counted once the thread has found nothing left to claim: the
      // owner's wait ends only after this, so no count of an earlier loop
      // lands in a later one.
      if (const uint64_t ran = run_tasks(self, seen))
        done_.fetch_add(ran, std::memory_order_release);
    }
  }

  // The thread's range word once it holds a generation other than `seen`,
  // or the pool stops: awake for kSpin, then asleep.
  uint64_t wait_for_loop(Range &mine, uint64_t seen) {
    for (Clock::time_point since = Clock::now();
         Clock::now() - since < kSpin;) {
      uint64_t w = mine.word.load(std::memory_order_acquire);
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
    while (generation_of(w = mine.word.load(std::memory_order_seq_cst)) ==
               seen &&
           !stop_.load(std::memory_order_seq_cst))
      wake_.wait(lock);
    sleeping_.fetch_sub(1, std::memory_order_relaxed);
    return w;
  }

  // With busy_ held. A thread that cannot be made leaves the pool smaller
  // (no exception may cross the kernel's C frames).
  void start_workers() noexcept {
    started_ = true;
    const uint64_t seen = generation_;
    try {
      // Every range holds `seen` (an empty loop): sized before any worker
      // starts, never resized while one runs.
      const size_t n = static_cast<size_t>(count());
      ranges_ = std::make_unique<Range[]>(n);
      for (size_t i = 0; i < n; ++i)
        ranges_[i].word.store(range_word(seen, 0, 0),
                              std::memory_order_relaxed);
      for (size_t i = 1; i < n; ++i)
        workers_.emplace_back([this, i, seen] { work(i, seen); });
    } catch (...) {
    }
    // A thread that could not be made: its range stays empty, and loops
    // split over those that run. (The workers read threads_running_ only
    // once a loop is published, after this.)
    threads_running_ = workers_.size() + 1;
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
    ranges_.reset();
    threads_running_ = 0;
    stop_.store(false, std::memory_order_seq_cst);
    started_ = false; // the next loop starts count() - 1 workers
  }

  std::mutex busy_; // held while a loop runs, and to configure
  // Under busy_:
  int threads_ = 0; // 0: default_threads()
  bool started_ = false;
  std::vector<std::thread> workers_;
  uint64_t generation_ = 0;
  // Thread t's range of the loop's claims (t = 0: the loop's owner), for
  // the threads_running_ threads (written only while no worker runs, or
  // before any loop is published).
  std::unique_ptr<Range[]> ranges_;
  size_t threads_running_ = 0;
  // Written by the loop's owner before the ranges, read after a claim:
  std::atomic<halide_task_t> fn_{nullptr};
  std::atomic<void *> user_context_{nullptr};
  std::atomic<uint8_t *> closure_{nullptr};
  std::atomic<int> min_{0};
  std::atomic<int> end_{0}; // min + size
  std::atomic<int> run_{1}; // tasks per claim
  // Claims run by workers, each adding its own once (work()); apart from
  // the fields above, which every task reads.
  alignas(64) std::atomic<uint64_t> done_{0};
  alignas(64) std::atomic<int> error_{0};
  // Idle workers:
  alignas(64) std::atomic<bool> stop_{false};
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
