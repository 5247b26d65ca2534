// A model declared outside Kiln's tree: an MLP classifier of Fashion-MNIST
// images, 784 -> 256 (ReLU) -> 10, trained with Adam on the cross-entropy.
// The contract (consumes/produces) is what lets the kiln-compatible driver
// of this project (my_kiln, CMakeLists.txt) train, evaluate and run it
// with no further code.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct FashionMlp : Model {
  Linear<784, 256> fc1{"fc1"};
  Linear<256, 10> fc2{"fc2"};

  Tensor<B, 10> logits(Tensor<B, 784> x) { return fc2(relu(fc1(x))); }

  Scalar loss(Tensor<B, 784> x, Tensor<B, 10> onehot) {
    return mean(cross_entropy_with_onehot(logits(x), onehot));
  }
};

KILN_MODEL(FashionMlp, "fashion_mlp") {
  train("train_step", &FashionMlp::loss, Adam{.lr = 1e-3})
      .inputs("x", "onehot")
      .consumes(data::images(), data::onehot())
      .outputs("loss")
      .batch(128);
  infer("logits", &FashionMlp::logits)
      .inputs("x")
      .consumes(data::images())
      .outputs("logits")
      .produces(data::logits());
}
