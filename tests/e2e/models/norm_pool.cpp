// BatchNorm and pooling for tests/e2e/norm_pool_test.cpp: each layer alone
// in every mode, and two small networks whose gradients must flow back
// through BatchNorm and pooling to the layer before them.
//
// Sizes are deliberately odd: 3 and 17 channels (below and above one
// 16-lane vector), non-square images (5x7; 6x10 for kernel 2, 6x9 for
// kernel 3, the only pooling the DSL allows being non-overlapping with H
// and W multiples of K). The batch is the symbol B so that the test runs
// batches 1 and 5 through one model (BatchNorm training with a static
// batch of 1 is rejected by the generator, a symbolic one by the entry
// point when it is called).
//
// Each BatchNorm train entry returns sum(bn(x) * r) for a fixed r, so that
// with SGD lr 1 the weight moves by -sum(xhat * r) and the bias by -sum(r)
// per channel, and the running statistics take one momentum step.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct NormPool : Model {
  BatchNorm1d<3> bn1a{"bn1a"};
  BatchNorm1d<17> bn1b{"bn1b"};
  BatchNorm2d<3> bn2a{"bn2a"};
  BatchNorm2d<17> bn2b{"bn2b"};
  // conv -> BatchNorm2d -> max and avg pooling (PyTorch's nn.Sequential
  // indices), and linear -> BatchNorm1d.
  Conv2d<3, 17, 3, 1, 1> conv{"net.0"};
  BatchNorm2d<17> bn{"net.1"};
  Linear<4, 17> fc{"head.0"};
  BatchNorm1d<17> bnf{"head.1"};

  // BatchNorm1d, 3 features: batch statistics without and with the
  // running-statistics update, and the running statistics.
  Tensor<B, 3> bn1d3_batch(Tensor<B, 3> x) {
    return bn1a(x, Mode::train_no_stats_update);
  }
  Tensor<B, 3> bn1d3_eval(Tensor<B, 3> x) { return bn1a(x, Mode::eval); }
  Scalar bn1d3_train(Tensor<B, 3> x, Tensor<B, 3> r) {
    return sum(bn1a(x, Mode::train) * r);
  }

  // BatchNorm1d, 17 features.
  Tensor<B, 17> bn1d17_batch(Tensor<B, 17> x) {
    return bn1b(x, Mode::train_no_stats_update);
  }
  Tensor<B, 17> bn1d17_eval(Tensor<B, 17> x) { return bn1b(x, Mode::eval); }
  Scalar bn1d17_train(Tensor<B, 17> x, Tensor<B, 17> r) {
    return sum(bn1b(x, Mode::train) * r);
  }

  // BatchNorm2d, 3 channels of 5x7.
  Tensor<B, 3, 5, 7> bn2d3_batch(Tensor<B, 3, 5, 7> x) {
    return bn2a(x, Mode::train_no_stats_update);
  }
  Tensor<B, 3, 5, 7> bn2d3_eval(Tensor<B, 3, 5, 7> x) {
    return bn2a(x, Mode::eval);
  }
  Scalar bn2d3_train(Tensor<B, 3, 5, 7> x, Tensor<B, 3, 5, 7> r) {
    return sum(bn2a(x, Mode::train) * r);
  }

  // BatchNorm2d, 17 channels of 5x7.
  Tensor<B, 17, 5, 7> bn2d17_batch(Tensor<B, 17, 5, 7> x) {
    return bn2b(x, Mode::train_no_stats_update);
  }
  Tensor<B, 17, 5, 7> bn2d17_eval(Tensor<B, 17, 5, 7> x) {
    return bn2b(x, Mode::eval);
  }
  Scalar bn2d17_train(Tensor<B, 17, 5, 7> x, Tensor<B, 17, 5, 7> r) {
    return sum(bn2b(x, Mode::train) * r);
  }

  // Pooling: kernel 2 on 6x10 with 3 channels, kernel 3 on 6x9 with 17.
  Tensor<B, 3, 3, 5> max_pool_k2(Tensor<B, 3, 6, 10> x) {
    return max_pool2d<2>(x);
  }
  Tensor<B, 3, 3, 5> avg_pool_k2(Tensor<B, 3, 6, 10> x) {
    return avg_pool2d<2>(x);
  }
  Tensor<B, 17, 2, 3> max_pool_k3(Tensor<B, 17, 6, 9> x) {
    return max_pool2d<3>(x);
  }
  Tensor<B, 17, 2, 3> avg_pool_k3(Tensor<B, 17, 6, 9> x) {
    return avg_pool2d<3>(x);
  }

  // Gradients through BatchNorm2d (train mode) and both poolings into the
  // convolution before them.
  Scalar conv_bn_pool(Tensor<B, 3, 6, 9> x, Tensor<B, 17, 2, 3> rmax,
                      Tensor<B, 17, 2, 3> ravg) {
    auto h = bn(conv(x), Mode::train);
    return sum(max_pool2d<3>(h) * rmax) + sum(avg_pool2d<3>(h) * ravg);
  }

  // Gradients through BatchNorm1d (train mode) into the linear layer.
  Scalar linear_bn(Tensor<B, 4> z, Tensor<B, 17> r) {
    return sum(bnf(fc(z), Mode::train) * r);
  }
};

KILN_MODEL(NormPool, "norm_pool") {
  infer("bn1d3_batch", &NormPool::bn1d3_batch);
  infer("bn1d3_eval", &NormPool::bn1d3_eval);
  train("bn1d3_train", &NormPool::bn1d3_train, Sgd{.lr = 1});
  infer("bn1d17_batch", &NormPool::bn1d17_batch);
  infer("bn1d17_eval", &NormPool::bn1d17_eval);
  train("bn1d17_train", &NormPool::bn1d17_train, Sgd{.lr = 1});
  infer("bn2d3_batch", &NormPool::bn2d3_batch);
  infer("bn2d3_eval", &NormPool::bn2d3_eval);
  train("bn2d3_train", &NormPool::bn2d3_train, Sgd{.lr = 1});
  infer("bn2d17_batch", &NormPool::bn2d17_batch);
  infer("bn2d17_eval", &NormPool::bn2d17_eval);
  train("bn2d17_train", &NormPool::bn2d17_train, Sgd{.lr = 1});
  infer("max_pool_k2", &NormPool::max_pool_k2);
  infer("avg_pool_k2", &NormPool::avg_pool_k2);
  infer("max_pool_k3", &NormPool::max_pool_k3);
  infer("avg_pool_k3", &NormPool::avg_pool_k3);
  train("conv_bn_pool", &NormPool::conv_bn_pool, Sgd{.lr = 1});
  train("linear_bn", &NormPool::linear_bn, Sgd{.lr = 1});
}
