// A Fashion-MNIST classifier, for the FID-style metric of generated images
// (features) and as a convolution/pooling/dropout test model.
//
//   Conv2d(1, 32, 3, p1) -> ReLU -> MaxPool2 -> Conv2d(32, 64, 3, p1) -> ReLU
//   -> MaxPool2 -> flatten -> Linear(3136, 128) -> ReLU -> Dropout(0.25)
//   -> Linear(128, 10)
//
// Parameter names are PyTorch's for one nn.Sequential `net`: net.0 Conv2d,
// .1 ReLU, .2 MaxPool2d, .3 Conv2d, .4 ReLU, .5 MaxPool2d, .6 Flatten,
// .7 Linear, .8 ReLU, .9 Dropout, .10 Linear (421,642 parameters).
// Inputs are pixels in [0, 1] (the caller's choice; the GAN's images in
// [-1, 1] are mapped by (x + 1) / 2 before scoring).
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Classifier : Model {
  Conv2d<1, 32, 3, 1, 1> conv1{"net.0"};
  Conv2d<32, 64, 3, 1, 1> conv2{"net.3"};
  Linear<64 * 7 * 7, 128> fc1{"net.7"};
  Linear<128, 10> fc2{"net.10"};

  // The penultimate activations: ReLU(net.7(...)), [B, 128].
  Tensor<B, 128> hidden(Tensor<B, 1, 28, 28> x) {
    auto h = max_pool2d<2>(relu(conv1(x))); // [B, 32, 14, 14]
    auto g = max_pool2d<2>(relu(conv2(h))); // [B, 64, 7, 7]
    return relu(fc1(flatten(g)));
  }

  Tensor<B, 10> forward(Tensor<B, 1, 28, 28> x, Mode mode) {
    return fc2(dropout(hidden(x), 0.25f, mode));
  }

  // Mean cross-entropy against one-hot labels, dropout on.
  Scalar loss(Tensor<B, 1, 28, 28> x, Tensor<B, 10> onehot) {
    return mean(cross_entropy_with_onehot(forward(x, Mode::train), onehot));
  }

  Tensor<B, 10> logits(Tensor<B, 1, 28, 28> x) {
    return forward(x, Mode::eval);
  }
  Tensor<B, 128> features(Tensor<B, 1, 28, 28> x) { return hidden(x); }
};

KILN_MODEL(Classifier, "classifier") {
  // The model's contract with the kiln CLI (docs/dsl.md).
  train("train_step", &Classifier::loss, Adam{.lr = 1e-3})
      .inputs("x", "onehot")
      .consumes(data::images(), data::onehot())
      .outputs("loss")
      .batch(128);
  infer("logits", &Classifier::logits)
      .inputs("x")
      .consumes(data::images())
      .outputs("logits")
      .produces(data::logits());
  infer("features", &Classifier::features)
      .inputs("x")
      .consumes(data::images())
      .outputs("features")
      .produces(data::features());
}
