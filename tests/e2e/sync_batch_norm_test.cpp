// Synchronised BatchNorm statistics in a data-parallel job
// (kiln.replica_sum, rt::Session::set_replicas), without MPI: two Sessions
// in two threads stand for the two processes of a job, and their sums meet
// in shared memory (TwoProcessSum) where `kiln train --sync-batchnorm`
// uses MPI_Allreduce. Each runs step_gradients on its half of a batch
// (tests/e2e/models/sync_batch_norm.cpp: BatchNorm2d after a convolution,
// BatchNorm1d after a linear layer, a mean loss).
//
// The reference is one Session's fused train step (SGD, lr 1) on the whole
// batch: the graph without replica ops (kiln-local-replicas), whose
// BatchNorm norm_pool_test checks against naive references and finite
// differences. The job must give its loss (the mean of the halves'), its
// gradients (the average of the halves', as the runtime averages them),
// and its running statistics (each half's, identical: the global batch's
// mean and unbiased variance).
//
// Without synchronisation each half has its own statistics, and the same
// comparison fails: the test can tell the two apart.
#include "sync_batch_norm.h"

#include "reference.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using kiln::rt::Session;
using kiln::rt::Tensor;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::toDoubles;

constexpr int64_t kHalf = 3; // rows per process; the batch is 6

// Sums two threads' values in place, as an all-reduce over two processes
// would: both wait until both have published, add in the same order (so
// both get the same floats), wait until both have read, then write.
class TwoProcessSum {
public:
  void operator()(int rank, float *values, size_t count) {
    slots_[rank] = values;
    counts_[rank] = count;
    sync_.arrive_and_wait();
    std::vector<float> total(count);
    const bool same = counts_[0] == counts_[1];
    for (size_t i = 0; same && i < count; ++i)
      total[i] = slots_[0][i] + slots_[1][i];
    sync_.arrive_and_wait();
    if (!same)
      mismatched_ = true; // the processes' plans disagree
    std::copy(total.begin(), total.end(), values);
    ++calls_[rank];
  }
  // A process that failed leaves the job: the other no longer waits for it
  // (its sums are then wrong, and the test fails on the error).
  void leave() { sync_.arrive_and_drop(); }
  int calls(int rank) const { return calls_[rank]; }
  bool mismatched() const { return mismatched_; }

private:
  std::barrier<> sync_{2};
  float *slots_[2] = {nullptr, nullptr};
  size_t counts_[2] = {0, 0};
  int calls_[2] = {0, 0};
  std::atomic<bool> mismatched_ = false;
};

// Rows [first, first + n) of a tensor whose first dimension is the batch.
Tensor rows(const Tensor &t, int64_t first, int64_t n) {
  std::vector<int64_t> shape = t.shape();
  const int64_t row = t.numel() / shape[0];
  shape[0] = n;
  Tensor r(shape);
  std::copy_n(t.data() + first * row, n * row, r.data());
  return r;
}

const char *const kTrained[] = {"conv.weight", "conv.bias", "bn2.weight",
                                "bn2.bias",    "fc.weight", "fc.bias",
                                "bn1.weight",  "bn1.bias"};
const char *const kRunning[] = {"bn2.running_mean", "bn2.running_var",
                                "bn1.running_mean", "bn1.running_var"};

class SyncBatchNorm : public ::testing::Test {
protected:
  // Non-trivial BatchNorm weights and biases, the same in every Session.
  static void setUp(Session &s) {
    uint32_t seed = 100;
    for (const char *name :
         {"bn2.weight", "bn2.bias", "bn1.weight", "bn1.bias"}) {
      Tensor &p = s.params().get(name);
      p = randomTensor(p.shape(), seed++, 0.5f, 1.5f);
    }
  }

  std::vector<Tensor> batch_ = {randomTensor({2 * kHalf, 3, 6, 5}, 1),
                                randomTensor({2 * kHalf, 5, 6, 5}, 2),
                                randomTensor({2 * kHalf, 4}, 3, -2, 3),
                                randomTensor({2 * kHalf, 7}, 4)};

  // The whole batch in one process: loss, gradients (the SGD lr 1 step)
  // and running statistics.
  struct Result {
    double loss = 0;
    std::map<std::string, std::vector<double>> grads, running;
  };
  Result oneProcess() {
    Session s(kiln_model_sync_batch_norm(), 7);
    setUp(s);
    std::map<std::string, std::vector<double>> before;
    for (const char *name : kTrained)
      before[name] = toDoubles(s.params().get(name));
    Result r;
    const std::vector<const Tensor *> in = {&batch_[0], &batch_[1], &batch_[2],
                                            &batch_[3]};
    r.loss = s.run("step", in)[0].data()[0];
    for (const char *name : kTrained) {
      std::vector<double> g = before[name];
      const Tensor &after = s.params().get(name);
      for (size_t i = 0; i < g.size(); ++i)
        g[i] -= after.data()[i];
      r.grads[name] = g;
    }
    for (const char *name : kRunning)
      r.running[name] = toDoubles(s.params().get(name));
    return r;
  }

  // Two processes of kHalf rows each, synchronised or not; the gradients
  // averaged as the runtime's GradientAverager does.
  Result twoProcesses(bool synchronise, TwoProcessSum &sum) {
    Result halves[2];
    std::string errors[2];
    auto run = [&](int rank) {
      Session s(kiln_model_sync_batch_norm(), 7);
      setUp(s);
      if (synchronise)
        s.set_replicas(2, [&sum, rank](float *values, size_t count) {
          sum(rank, values, count);
        });
      std::vector<Tensor> mine;
      for (const Tensor &t : batch_)
        mine.push_back(rows(t, rank * kHalf, kHalf));
      const kiln::rt::EntryDesc &e = *s.model().find_entry("step_gradients");
      const std::vector<const Tensor *> in = {&mine[0], &mine[1], &mine[2],
                                              &mine[3]};
      std::vector<Tensor> out = s.run("step_gradients", in);
      Result &r = halves[rank];
      r.loss = out[0].data()[0];
      for (size_t k = 1; k < out.size(); ++k)
        r.grads[std::string(e.outputs[k].name).substr(5)] = // "grad:"
            toDoubles(out[k]);
      for (const char *name : kRunning)
        r.running[name] = toDoubles(s.params().get(name));
    };
    auto process = [&](int rank) {
      try {
        run(rank);
      } catch (const std::exception &e) {
        errors[rank] = e.what();
        sum.leave();
      }
    };
    std::thread other(process, 1);
    process(0);
    other.join();
    for (const std::string &e : errors)
      EXPECT_EQ(e, "");
    Result job;
    job.loss = (halves[0].loss + halves[1].loss) / 2;
    for (auto &[name, g] : halves[0].grads) {
      std::vector<double> mean = g;
      const std::vector<double> &g1 = halves[1].grads[name];
      for (size_t i = 0; i < mean.size(); ++i)
        mean[i] = (mean[i] + g1[i]) / 2;
      job.grads[name] = mean;
    }
    for (const char *name : kRunning) {
      if (synchronise)
        EXPECT_EQ(halves[0].running[name], halves[1].running[name])
            << name << ": the processes' running statistics differ";
      job.running[name] = halves[0].running[name];
    }
    return job;
  }

  static Tensor asTensor(const std::vector<double> &v) {
    Tensor t({int64_t(v.size())});
    for (size_t i = 0; i < v.size(); ++i)
      t.data()[i] = float(v[i]);
    return t;
  }

  // The largest relative error of the weights' gradients (the biases
  // before BatchNorm have none).
  static double gradientError(const Result &got, const Result &want) {
    double worst = 0;
    for (const char *name :
         {"conv.weight", "bn2.weight", "fc.weight", "bn1.weight"})
      worst = std::max(
          worst, relErr(asTensor(got.grads.at(name)), want.grads.at(name)));
    return worst;
  }
};

TEST_F(SyncBatchNorm, TwoProcessesComputeTheWholeBatchsStep) {
  const Result want = oneProcess();
  TwoProcessSum sum;
  const Result got = twoProcesses(true, sum);
  EXPECT_FALSE(sum.mismatched());
  // Per BatchNorm: the mean and the variance, and each one's gradient.
  EXPECT_EQ(sum.calls(0), 8);
  EXPECT_EQ(sum.calls(1), 8);
  EXPECT_NEAR(got.loss, want.loss, 1e-5 * std::max(1.0, std::abs(want.loss)));
  for (const char *name : kTrained) {
    if (kiln::test::maxAbs(want.grads.at(name)) < 1e-6) {
      // A bias just before BatchNorm: the mean removes it, its gradient is
      // 0 but for rounding, in both.
      EXPECT_LT(kiln::test::maxAbs(got.grads.at(name)), 1e-6) << name;
      continue;
    }
    EXPECT_LT(relErr(asTensor(got.grads.at(name)), want.grads.at(name)), 1e-4)
        << name;
  }
  for (const char *name : kRunning)
    EXPECT_LT(relErr(asTensor(got.running.at(name)), want.running.at(name)),
              1e-5)
        << name;
}

TEST_F(SyncBatchNorm, WithoutSynchronisationEachProcessHasItsOwnStatistics) {
  const Result want = oneProcess();
  TwoProcessSum sum;
  const Result got = twoProcesses(false, sum);
  EXPECT_EQ(sum.calls(0), 0);
  EXPECT_GT(gradientError(got, want), 1e-2);
  EXPECT_GT(relErr(asTensor(got.running.at("bn1.running_var")),
                   want.running.at("bn1.running_var")),
            1e-3);
}

TEST(SyncBatchNormSession, ReplicasAreValidated) {
  Session s(kiln_model_sync_batch_norm(), 7);
  EXPECT_THROW(s.set_replicas(0, {}), kiln::rt::Error);
  EXPECT_NO_THROW(s.set_replicas(1, {}));
}

} // namespace
