// kiln's pool (runtime/lib/thread_pool.cpp) through parallel_for, as the
// Halide runtime calls it for a kernel's parallel loop: each task once,
// with its own loop's closure, on as many threads as set_num_threads says
// (fewer too), each thread first on its own range of the tasks and then
// on those of a busy one, after its workers have gone to sleep, errors
// returned, nested loops and loops from two threads at once. In
// kiln_runtime_tests, so the sanitizer build runs it too;
// halide_kernel_test.cpp checks that Halide's loops reach it.
#include "kiln/runtime/thread_pool.h"
#include "kiln/runtime/threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {

using ThreadSet = std::set<std::thread::id>;

struct Record {
  std::vector<std::atomic<int>> runs;
  std::mutex mutex;
  ThreadSet threads;
  explicit Record(int n) : runs(n) {}
  uint8_t *closure() { return reinterpret_cast<uint8_t *>(this); }
};

int count_run(void *, int i, uint8_t *closure) {
  auto *r = reinterpret_cast<Record *>(closure);
  r->runs[i].fetch_add(1);
  std::lock_guard lock(r->mutex);
  r->threads.insert(std::this_thread::get_id());
  return 0;
}

int slow_count_run(void *uc, int i, uint8_t *closure) {
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  return count_run(uc, i, closure);
}

// Each task waits until tasks have run on two threads, or until 10 s after
// the meeting began, so a pool of two shows both whatever the machine's
// load, and one that never gets a second thread fails in 10 s.
struct Meeting {
  std::mutex mutex;
  ThreadSet threads;
  std::chrono::steady_clock::time_point until =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  uint8_t *closure() { return reinterpret_cast<uint8_t *>(this); }
  size_t size() {
    std::lock_guard lock(mutex);
    return threads.size();
  }
};

int meet(void *, int, uint8_t *closure) {
  auto *m = reinterpret_cast<Meeting *>(closure);
  {
    std::lock_guard lock(m->mutex);
    m->threads.insert(std::this_thread::get_id());
  }
  while (m->size() < 2 && std::chrono::steady_clock::now() < m->until)
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  return 0;
}

size_t threads_met() {
  Meeting m;
  EXPECT_EQ(parallel_for(nullptr, meet, 0, 8, m.closure()), 0);
  return m.size();
}

ThreadSet threads_of_slow_loop() {
  Record r(64);
  EXPECT_EQ(parallel_for(nullptr, slow_count_run, 0, 64, r.closure()), 0);
  return r.threads;
}

// Whether a worker has gone to sleep within 10 s.
bool a_worker_sleeps() {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sleeping_pool_workers() < 1 &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return sleeping_pool_workers() >= 1;
}

class ThreadPool : public ::testing::Test {
protected:
  void TearDown() override { set_num_threads(0); }
};

} // namespace

TEST_F(ThreadPool, RunsEveryTaskOnce) {
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    for (int size : {0, 1, 2, 3, 7, 64, 1000}) {
      for (int min : {0, 5}) {
        Record r(min + size);
        ASSERT_EQ(parallel_for(nullptr, count_run, min, size, r.closure()), 0);
        for (int i = 0; i < min + size; ++i)
          EXPECT_EQ(r.runs[i].load(), i >= min ? 1 : 0)
              << "task " << i << ", " << size << " tasks from " << min << ", "
              << threads << " threads";
      }
    }
  }
}

// Back-to-back loops of two task functions, each with its own closure and
// range: a worker that ran a task with another loop's fields would count
// into the wrong record or index.
int count_twice(void *uc, int i, uint8_t *closure) {
  auto *r = reinterpret_cast<Record *>(closure);
  r->runs[i].fetch_add(2);
  (void)uc;
  return 0;
}

TEST_F(ThreadPool, EachTaskRunsWithItsOwnLoop) {
  set_num_threads(2);
  constexpr int kLoops = 20000;
  std::vector<std::unique_ptr<Record>> records;
  for (int k = 0; k < 4; ++k)
    records.push_back(std::make_unique<Record>(16));
  for (int k = 0; k < kLoops; ++k) {
    Record &r = *records[k % 4];
    ASSERT_EQ(parallel_for(nullptr, k % 2 ? count_twice : count_run, k % 3,
                           2 + k % 5, r.closure()),
              0);
  }
  // Loop k adds (1 + k % 2) to tasks [k % 3, k % 3 + 2 + k % 5) of record
  // k % 4.
  std::vector<std::vector<int>> expected(4, std::vector<int>(16, 0));
  for (int k = 0; k < kLoops; ++k)
    for (int i = k % 3; i < k % 3 + 2 + k % 5; ++i)
      expected[k % 4][i] += 1 + k % 2;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 16; ++i)
      EXPECT_EQ(records[k]->runs[i].load(), expected[k][i]) << k << ", " << i;
}

TEST_F(ThreadPool, UsesTheThreadsItIsGiven) {
  set_num_threads(2);
  EXPECT_EQ(threads_met(), 2u);
}

TEST_F(ThreadPool, ShrinksToTheCallersThread) {
  set_num_threads(2);
  ASSERT_EQ(threads_met(), 2u);
  // Tasks long enough (64 x 200 us) that a second thread, were there one,
  // would take some. Halide's pool keeps both.
  set_num_threads(1);
  EXPECT_EQ(threads_of_slow_loop(), ThreadSet{std::this_thread::get_id()});
}

TEST_F(ThreadPool, WakesSleepingWorkers) {
  set_num_threads(2);
  ASSERT_EQ(threads_met(), 2u);
  // After 1 ms without a loop the worker sleeps, and a loop wakes it.
  ASSERT_TRUE(a_worker_sleeps());
  EXPECT_EQ(threads_met(), 2u);
  // Stopping a sleeping worker, and starting one again.
  ASSERT_TRUE(a_worker_sleeps());
  set_num_threads(1);
  EXPECT_EQ(threads_of_slow_loop(), ThreadSet{std::this_thread::get_id()});
  set_num_threads(2);
  EXPECT_EQ(threads_met(), 2u);
}

// Which thread ran each task, and in which order the tasks began. Task
// `waiting` waits until the tasks `until` are done (or 10 s pass); with no
// such task, every task meets as meet() does.
struct Ranges {
  Meeting meeting;
  std::vector<std::atomic<std::thread::id>> ran;
  std::vector<std::atomic<int>> began;
  std::vector<std::atomic<bool>> done;
  std::atomic<int> next{0};
  int waiting = -1;
  std::vector<int> until;
  explicit Ranges(int n) : ran(n), began(n), done(n) {}
  uint8_t *closure() { return reinterpret_cast<uint8_t *>(this); }
  // The first task that `thread` began.
  int first_of(std::thread::id thread) const {
    int first = -1;
    for (int i = 0; i < static_cast<int>(ran.size()); ++i)
      if (ran[i] == thread && (first < 0 || began[i] < began[first]))
        first = i;
    return first;
  }
};

int meet_and_record(void *uc, int i, uint8_t *closure) {
  auto *r = reinterpret_cast<Ranges *>(closure);
  r->ran[i] = std::this_thread::get_id();
  r->began[i] = r->next++;
  if (i == r->waiting) {
    for (int j : r->until)
      while (!r->done[j] && std::chrono::steady_clock::now() < r->meeting.until)
        std::this_thread::sleep_for(std::chrono::microseconds(50));
  } else if (r->waiting < 0) {
    meet(uc, i, r->meeting.closure());
  }
  r->done[i] = true;
  return 0;
}

// The tasks are split into one contiguous range per thread, the caller's
// first, so that a kernel called again with the same sizes has each core
// read the same part of its operands. Task 0 (the caller's first) waits
// for a second thread, whose first task can then only be the first of its
// own range, 2; a pool that handed out tasks in order would have given it
// task 1.
TEST_F(ThreadPool, EachThreadStartsOnItsOwnRange) {
  set_num_threads(2);
  for (int rep = 0; rep < 10; ++rep) {
    Ranges r(4);
    ASSERT_EQ(parallel_for(nullptr, meet_and_record, 0, 4, r.closure()), 0);
    EXPECT_EQ(r.first_of(std::this_thread::get_id()), 0) << rep;
    const std::thread::id worker = r.ran[2];
    EXPECT_NE(worker, std::this_thread::get_id()) << rep;
    EXPECT_EQ(r.first_of(worker), 2) << rep;
  }
}

// A thread whose range is not done takes no one's time: the worker's first
// task (4, if the worker comes at all) waits for the rest of its range,
// which the caller takes from the back once its own range is done.
TEST_F(ThreadPool, TakesTasksFromABusyThread) {
  set_num_threads(2);
  for (int rep = 0; rep < 10; ++rep) {
    Ranges r(8);
    r.waiting = 4;
    r.until = {5, 6, 7};
    ASSERT_EQ(parallel_for(nullptr, meet_and_record, 0, 8, r.closure()), 0);
    for (int i : {0, 1, 2, 3, 5, 6, 7})
      EXPECT_EQ(r.ran[i].load(), std::this_thread::get_id())
          << "task " << i << ", " << rep;
  }
}

// Fails on the worker, once both threads are in the loop.
struct FailOnWorker {
  Meeting meeting;
  std::thread::id caller = std::this_thread::get_id();
};

int fail_on_worker(void *uc, int i, uint8_t *closure) {
  auto *f = reinterpret_cast<FailOnWorker *>(closure);
  meet(uc, i, f->meeting.closure());
  return std::this_thread::get_id() == f->caller ? 0 : -42;
}

int fail_at_seven(void *, int i, uint8_t *) { return i == 7 ? -42 : 0; }

TEST_F(ThreadPool, ReturnsATasksError) {
  set_num_threads(1);
  EXPECT_EQ(parallel_for(nullptr, fail_at_seven, 0, 100, nullptr), -42);
  set_num_threads(2);
  EXPECT_EQ(parallel_for(nullptr, fail_at_seven, 0, 100, nullptr), -42);
  FailOnWorker f;
  EXPECT_EQ(parallel_for(nullptr, fail_on_worker, 0, 8,
                         reinterpret_cast<uint8_t *>(&f)),
            -42);
  // The pool is usable after a failure.
  Record r(10);
  EXPECT_EQ(parallel_for(nullptr, count_run, 0, 10, r.closure()), 0);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(r.runs[i].load(), 1);
}

int run_inner(void *uc, int i, uint8_t *closure) {
  auto *records = reinterpret_cast<std::deque<Record> *>(closure);
  return parallel_for(uc, count_run, 0, 16, (*records)[i].closure());
}

TEST_F(ThreadPool, RunsNestedLoops) {
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    std::deque<Record> records;
    for (int i = 0; i < 6; ++i)
      records.emplace_back(16);
    ASSERT_EQ(parallel_for(nullptr, run_inner, 0, 6,
                           reinterpret_cast<uint8_t *>(&records)),
              0);
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 16; ++j)
        EXPECT_EQ(records[i].runs[j].load(), 1) << i << ", " << j;
  }
}

TEST_F(ThreadPool, TwoCallersAtOnce) {
  set_num_threads(2);
  std::deque<Record> records;
  records.emplace_back(250);
  records.emplace_back(250);
  std::atomic<int> failures{0};
  auto call = [&](int k) {
    for (int rep = 0; rep < 20; ++rep)
      if (parallel_for(nullptr, count_run, 0, 250, records[k].closure()) != 0)
        failures.fetch_add(1);
  };
  std::thread other(call, 1);
  call(0);
  other.join();
  EXPECT_EQ(failures.load(), 0);
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 250; ++i)
      EXPECT_EQ(records[k].runs[i].load(), 20) << k << ", " << i;
}

// More tasks than one range word counts (2^20): claimed in runs.
int count_only(void *, int i, uint8_t *closure) {
  reinterpret_cast<std::vector<std::atomic<uint8_t>> *>(closure)->at(i)++;
  return 0;
}

int run_large_inner(void *uc, int, uint8_t *closure) {
  return parallel_for(uc, count_only, 3, (1 << 20) + 5, closure);
}

TEST_F(ThreadPool, RunsLoopsOfMillionsOfTasks) {
  set_num_threads(2);
  constexpr int kSize = (1 << 20) + 5;
  std::vector<std::atomic<uint8_t>> runs(kSize + 3);
  auto *closure = reinterpret_cast<uint8_t *>(&runs);
  ASSERT_EQ(parallel_for(nullptr, count_only, 3, kSize, closure), 0);
  // And from inside a task, where it runs on that task's thread.
  ASSERT_EQ(parallel_for(nullptr, run_large_inner, 0, 1, closure), 0);
  int wrong = 0;
  for (int i = 0; i < kSize + 3; ++i)
    wrong += runs[i].load() != (i >= 3 ? 2 : 0);
  EXPECT_EQ(wrong, 0);
}
