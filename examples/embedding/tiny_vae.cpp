// A second model of the outside project, a generative one: a small VAE of
// Fashion-MNIST (784 -> 256 -> 16 latents -> 256 -> 784), so that the
// project's kiln driver shows training and sampling (`my_kiln train
// tiny_vae`, `my_kiln sample tiny_vae`). The same structure as Kiln's own
// models/vae.cpp, at a quarter of the width.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct TinyVae : Model {
  Linear<784, 256> enc{"encoder"};
  Linear<256, 16> fc_mu{"mu"};
  Linear<256, 16> fc_logvar{"logvar"};
  Linear<16, 256> dec1{"decoder.0"};
  Linear<256, 784> dec2{"decoder.2"};

  Tensor<B, 784> decode(Tensor<B, 16> z) { return dec2(relu(dec1(z))); }
  Tensor<B, 784> decode_probs(Tensor<B, 16> z) { return sigmoid(decode(z)); }

  // Negative ELBO with one reparameterised sample, and its two terms.
  std::tuple<Scalar, Scalar, Scalar> loss(Tensor<B, 784> x) {
    auto h = relu(enc(x));
    auto mu = fc_mu(h);
    auto logvar = fc_logvar(h);
    auto z = mu + exp(0.5f * logvar) * randn_like(mu);
    auto recon = batch_mean(sum<-1>(bce_with_logits(decode(z), x)));
    auto kl = batch_mean(gaussian_kl(mu, logvar));
    return {recon + kl, recon, kl};
  }
};

KILN_MODEL(TinyVae, "tiny_vae") {
  train("train_step", &TinyVae::loss, Adam{.lr = 1e-3})
      .inputs("x")
      .consumes(data::images())
      .outputs("loss", "recon", "kl")
      .batch(128);
  infer("loss", &TinyVae::loss)
      .inputs("x")
      .consumes(data::images())
      .outputs("loss", "recon", "kl")
      .produces(data::loss(), data::loss(), data::loss());
  infer("decode_probs", &TinyVae::decode_probs)
      .inputs("z")
      .consumes(data::noise())
      .outputs("probs")
      .produces(data::images());
}
