// BatchNorm in a data-parallel job, for tests/e2e/sync_batch_norm_test.cpp:
// built with DATA_PARALLEL, so `step_gradients` is what each process of a
// job runs on its rows, and its BatchNorm statistics are summed over the
// processes (kiln.replica_sum) when the Session synchronises them.
//
// BatchNorm2d after a convolution (5 channels of 6x5) and BatchNorm1d
// after a linear layer (7 features), both updating their running
// statistics. The loss is a mean over the batch, so that the job's loss is
// the mean of its processes' losses and its gradient their average.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct SyncBatchNorm : Model {
  Conv2d<3, 5, 3, 1, 1> conv{"conv"};
  BatchNorm2d<5> bn2{"bn2"};
  Linear<4, 7> fc{"fc"};
  BatchNorm1d<7> bn1{"bn1"};

  Scalar step(Tensor<B, 3, 6, 5> x, Tensor<B, 5, 6, 5> r, Tensor<B, 4> z,
              Tensor<B, 7> q) {
    return mean(bn2(conv(x), Mode::train) * r) +
           mean(bn1(fc(z), Mode::train) * q);
  }
};

KILN_MODEL(SyncBatchNorm, "sync_batch_norm") {
  train("step", &SyncBatchNorm::step, Sgd{.lr = 1});
}
