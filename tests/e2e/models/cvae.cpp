// A conditional VAE written from docs/dsl.md alone and not in models/: the
// label, one-hot, joins the encoder's input and the latent. Its contract
// tells the kiln CLI to feed labels to training, evaluation, sampling,
// reconstruction, encoding and scoring (tests/e2e/cvae_cli_test.cpp).
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Cvae : Model {
  Linear<794, 128> enc{"encoder.0"};
  Linear<128, 8> fc_mu{"mu"};
  Linear<128, 8> fc_logvar{"logvar"};
  Linear<18, 128> dec1{"decoder.0"};
  Linear<128, 784> dec2{"decoder.2"};

  std::pair<Tensor<B, 8>, Tensor<B, 8>> encode(Tensor<B, 784> x,
                                               Tensor<B, 10> y) {
    auto h = relu(enc(concat(x, y)));
    return {fc_mu(h), fc_logvar(h)};
  }
  Tensor<B, 784> decode(Tensor<B, 8> z, Tensor<B, 10> y) {
    return dec2(relu(dec1(concat(z, y))));
  }
  Tensor<B, 784> sample(Tensor<B, 8> z, Tensor<B, 10> y) {
    return sigmoid(decode(z, y));
  }
  std::tuple<Scalar, Scalar, Scalar> loss(Tensor<B, 784> x, Tensor<B, 10> y) {
    auto [mu, logvar] = encode(x, y);
    auto z = mu + exp(0.5f * logvar) * randn_like(mu);
    auto r = batch_mean(sum<-1>(bce_with_logits(decode(z, y), x)));
    auto k = batch_mean(gaussian_kl(mu, logvar));
    return {r + k, r, k};
  }
  Tensor<B, 784> reconstruct(Tensor<B, 784> x, Tensor<B, 10> y) {
    return sigmoid(decode(encode(x, y).first, y));
  }
  // How unlike class y image x is: the negative ELBO at z = mu.
  Tensor<B> score(Tensor<B, 784> x, Tensor<B, 10> y) {
    auto [mu, logvar] = encode(x, y);
    return sum<-1>(bce_with_logits(decode(mu, y), x)) + gaussian_kl(mu, logvar);
  }
};

KILN_MODEL(Cvae, "cvae") {
  train("fit", &Cvae::loss, Adam{.lr = 1e-3})
      .inputs("x", "y")
      .consumes(data::images(), data::onehot())
      .outputs("loss", "recon", "kl")
      .batch(16);
  infer("nll", &Cvae::loss)
      .inputs("x", "y")
      .consumes(data::images(), data::onehot())
      .outputs("loss", "recon", "kl")
      .produces(data::loss(), data::loss(), data::loss());
  infer("draw", &Cvae::sample)
      .inputs("z", "y")
      .consumes(data::noise(), data::onehot())
      .outputs("probs")
      .produces(data::images());
  infer("embed", &Cvae::encode)
      .inputs("x", "y")
      .consumes(data::images(), data::onehot())
      .outputs("mu", "logvar")
      .produces(data::latent(), data::latent());
  infer("autoencode", &Cvae::reconstruct)
      .inputs("x", "y")
      .consumes(data::images(), data::onehot())
      .outputs("probs")
      .produces(data::images());
  infer("surprise", &Cvae::score)
      .inputs("x", "y")
      .consumes(data::images(), data::onehot())
      .outputs("score")
      .produces(data::score());
}
