// The canonical DCGAN of MODELS.md (28x28 Fashion-MNIST, pixels in [-1, 1]).
//
//   G: z[64] -> Linear(64, 128*7*7) -> BatchNorm1d -> ReLU -> reshape
//      (128, 7, 7) -> ConvTranspose2d(128, 64, k4, s2, p1) -> BatchNorm2d
//      -> ReLU -> ConvTranspose2d(64, 1, k4, s2, p1) -> tanh
//   D: Conv2d(1, 64, k4, s2, p1) -> LeakyReLU(0.2) -> Conv2d(64, 128, k4,
//      s2, p1) -> BatchNorm2d -> LeakyReLU(0.2) -> flatten
//      -> Linear(128*7*7, 1)
//
// Parameter names are PyTorch's for two nn.Sequential modules, `generator`
// and `discriminator`, indexed by position (parameter-free layers take an
// index too):
//
//   generator.0 Linear   .1 BatchNorm1d   .2 ReLU   .3 Unflatten(1, (128, 7,
//   7))
//            .4 ConvTranspose2d   .5 BatchNorm2d   .6 ReLU
//            .7 ConvTranspose2d   .8 Tanh
//   discriminator.0 Conv2d   .1 LeakyReLU   .2 Conv2d   .3 BatchNorm2d
//                .4 LeakyReLU   .5 Flatten   .6 Linear
//
// 691,330 trained parameters (G 552,513 + D 138,817) plus the BatchNorm
// running statistics (role = #kiln<role state>: G 12,544 + 128, D 256 values).
//
// One training step (MODELS.md) is d_step then g_step on the same z:
//  - d_step(real, z): fake = G(z) in train mode (G's running statistics
//    are updated, as PyTorch's forward does), D on real and on fake in
//    separate passes (D's running statistics updated twice, chained);
//    Adam updates only "discriminator." parameters.
//  - g_step(z): PyTorch reuses the fake batch of the D step; Kiln recomputes
//    G(z) from the same z with Mode::train_no_stats_update (same batch
//    statistics, G's running statistics not updated a second time), then D
//    in train mode (D's running statistics updated a third time, as
//    PyTorch's D(fake) for the generator loss does); Adam updates only
//    "generator." parameters.
//  - train_step(real, z): d_step then g_step in one call (a sequence,
//    docs/dsl.md). G's forward pass is the same computation in both, so it
//    runs once, as the fake batch is reused in PyTorch's loop.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Gan : Model {
  // Generator.
  Linear<64, 128 * 7 * 7> g_fc{"generator.0"};
  BatchNorm1d<128 * 7 * 7> g_bn1{"generator.1"};
  ConvTranspose2d<128, 64, 4, 2, 1> g_up1{"generator.4"};
  BatchNorm2d<64> g_bn2{"generator.5"};
  ConvTranspose2d<64, 1, 4, 2, 1> g_up2{"generator.7"};
  // Discriminator.
  Conv2d<1, 64, 4, 2, 1> d_conv1{"discriminator.0"};
  Conv2d<64, 128, 4, 2, 1> d_conv2{"discriminator.2"};
  BatchNorm2d<128> d_bn{"discriminator.3"};
  Linear<128 * 7 * 7, 1> d_fc{"discriminator.6"};

  Tensor<B, 1, 28, 28> generator(Tensor<B, 64> z, Mode mode) {
    auto h = relu(g_bn1(g_fc(z), mode));
    auto x = reshape<B, 128, 7, 7>(h);
    auto y = relu(g_bn2(g_up1(x), mode)); // [B, 64, 14, 14]
    return tanh(g_up2(y));                // [B, 1, 28, 28]
  }

  // Logits of "real".
  Tensor<B, 1> discriminator(Tensor<B, 1, 28, 28> x, Mode mode) {
    auto h = leaky_relu(d_conv1(x), 0.2f);             // [B, 64, 14, 14]
    auto g = leaky_relu(d_bn(d_conv2(h), mode), 0.2f); // [B, 128, 7, 7]
    return d_fc(flatten(g));
  }

  // Mean binary cross-entropy of logits against a constant label.
  static Scalar bce(Tensor<B, 1> logits, float label) {
    return mean(bce_with_logits(logits, constant(label)));
  }

  // The discriminator's loss, and the mean probabilities it gives the real
  // and the fake batch (D(x) and D(G(z)) of the DCGAN paper's logs).
  std::tuple<Scalar, Scalar, Scalar> d_step(Tensor<B, 1, 28, 28> real,
                                            Tensor<B, 64> z) {
    auto fake = generator(z, Mode::train);
    auto real_logits = discriminator(real, Mode::train);
    auto fake_logits = discriminator(fake, Mode::train);
    auto loss = bce(real_logits, 1.0f) + bce(fake_logits, 0.0f);
    return {loss, mean(sigmoid(real_logits)), mean(sigmoid(fake_logits))};
  }

  // The generator's non-saturating loss.
  Scalar g_step(Tensor<B, 64> z) {
    auto fake = generator(z, Mode::train_no_stats_update);
    return bce(discriminator(fake, Mode::train), 1.0f);
  }

  Tensor<B, 1, 28, 28> generate(Tensor<B, 64> z) {
    return generator(z, Mode::eval);
  }
  Tensor<B, 1> discriminate(Tensor<B, 1, 28, 28> x) {
    return discriminator(x, Mode::eval);
  }
};

KILN_MODEL(Gan, "gan") {
  // The model's contract with the kiln CLI (docs/dsl.md): real images are
  // pixels in [-1, 1] (MODELS.md), like G's tanh output.
  train("d_step", &Gan::d_step, Adam{.lr = 2e-4, .beta1 = 0.5})
      .params("discriminator.")
      .inputs("real", "z")
      .consumes(data::images(-1, 1), data::noise())
      .outputs("d_loss", "d_real", "d_fake")
      .batch(64);
  train("g_step", &Gan::g_step, Adam{.lr = 2e-4, .beta1 = 0.5})
      .params("generator.")
      .inputs("z")
      .consumes(data::noise())
      .outputs("g_loss")
      .batch(64);
  // Both in one call, G's forward pass computed once (kiln train and
  // gan_bench call this).
  sequence("train_step", {"d_step", "g_step"});
  infer("generate", &Gan::generate)
      .inputs("z")
      .consumes(data::noise())
      .outputs("images")
      .produces(data::images(-1, 1));
  infer("discriminate", &Gan::discriminate)
      .inputs("x")
      .consumes(data::images(-1, 1))
      .outputs("logits");
}
