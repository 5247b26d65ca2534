// A tiny regression MLP, 4 -> 16 (tanh) -> 3, with one train entry point per
// optimizer kind: the smallest model on which the optimizer updates can be
// checked against a reference (PyTorch's torch.optim.SGD/Adam/AdamW with the
// same hyper-parameters). The loss is the mean squared error over all
// elements (PyTorch's MSELoss(reduction='mean')).
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct MlpTrain : Model {
  Linear<4, 16> l1{"net.0"};
  Linear<16, 3> l2{"net.2"};

  Tensor<B, 3> forward(Tensor<B, 4> x) { return l2(tanh(l1(x))); }

  Scalar loss(Tensor<B, 4> x, Tensor<B, 3> target) {
    return mean(mse(forward(x), target));
  }
};

KILN_MODEL(MlpTrain, "mlp_train") {
  infer("forward", &MlpTrain::forward).inputs("x").outputs("y");
  infer("loss", &MlpTrain::loss).inputs("x", "target").outputs("loss");
  train("train_sgd", &MlpTrain::loss, Sgd{.lr = 0.05, .momentum = 0.9})
      .inputs("x", "target");
  train("train_adam", &MlpTrain::loss, Adam{.lr = 1e-2}).inputs("x", "target");
  // lr 1: each step moves a weight by about 1, so an error of 1e-6 relative
  // in the update (the bias correction) shows above float32 rounding.
  train("train_adam_lr1", &MlpTrain::loss, Adam{.lr = 1}).inputs("x", "target");
  // Adam with L2 weight decay (added to the gradient), to tell it apart
  // from AdamW's decoupled decay.
  train("train_adam_l2", &MlpTrain::loss,
        Adam{.lr = 1e-2, .weight_decay = 1e-2})
      .inputs("x", "target");
  train("train_adamw", &MlpTrain::loss, AdamW{.lr = 1e-2})
      .inputs("x", "target");
  // AdamW whose decay skips the biases (a glob on parameter names).
  train("train_adamw_no_decay", &MlpTrain::loss,
        AdamW{.lr = 1e-2, .weight_decay = 0.1})
      .inputs("x", "target")
      .no_decay("*.bias");
  // Both keeping a moving average of the weights (PARAM.ema).
  train("train_adam_ema", &MlpTrain::loss, Adam{.lr = 1e-2, .ema = 0.9})
      .inputs("x", "target");
  train("train_sgd_ema", &MlpTrain::loss, Sgd{.lr = 0.05, .ema = 0.5})
      .inputs("x", "target");
  // SGD with the gradients' global norm clipped to 0.05 (it is larger).
  train("train_sgd_clip", &MlpTrain::loss,
        Sgd{.lr = 0.05, .clip_grad_norm = 0.05})
      .inputs("x", "target");
}
