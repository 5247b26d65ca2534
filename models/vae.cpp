// The canonical VAE of MODELS.md (Fashion-MNIST, 784 pixels in [0, 1]).
//
//   encoder: 784 -> 512 -> 256 (ReLU) -> mu[32], logvar[32]
//   z = mu + exp(0.5 logvar) * eps,  eps ~ N(0, I)
//   decoder: 32 -> 256 -> 512 (ReLU) -> 784 logits
//   loss: BCE-with-logits summed over pixels + KL(q(z|x) || N(0, I)),
//         mean over the batch; Adam, lr 1e-3
//
// Parameter names are PyTorch's for nn.Sequential encoder/decoder and two
// nn.Linear heads: encoder.0, encoder.2, mu, logvar, decoder.0, decoder.2,
// decoder.4 (1,091,920 parameters).
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Vae : Model {
  Linear<784, 512> enc1{"encoder.0"};
  Linear<512, 256> enc2{"encoder.2"};
  Linear<256, 32> fc_mu{"mu"};
  Linear<256, 32> fc_logvar{"logvar"};
  Linear<32, 256> dec1{"decoder.0"};
  Linear<256, 512> dec2{"decoder.2"};
  Linear<512, 784> dec3{"decoder.4"};

  // q(z|x): mean and log-variance of the latent Gaussian.
  std::pair<Tensor<B, 32>, Tensor<B, 32>> encode(Tensor<B, 784> x) {
    auto h = relu(enc2(relu(enc1(x))));
    return {fc_mu(h), fc_logvar(h)};
  }

  // p(x|z): Bernoulli logits per pixel.
  Tensor<B, 784> decode(Tensor<B, 32> z) {
    return dec3(relu(dec2(relu(dec1(z)))));
  }

  // Pixel probabilities; with z ~ N(0, I) drawn by the caller this samples
  // the model (MODELS.md "Generation: decode z ~ N(0,I)").
  Tensor<B, 784> decode_probs(Tensor<B, 32> z) { return sigmoid(decode(z)); }

  // Per image: reconstruction term (nats) and KL term, for latent z.
  std::pair<Tensor<B>, Tensor<B>> terms(Tensor<B, 784> x, Tensor<B, 32> mu,
                                        Tensor<B, 32> logvar, Tensor<B, 32> z) {
    auto recon = sum<-1>(bce_with_logits(decode(z), x));
    return {recon, gaussian_kl(mu, logvar)};
  }

  // The training loss with the reparameterised sample, and its two terms
  // (batch means) to log: loss = recon + kl.
  std::tuple<Scalar, Scalar, Scalar> loss(Tensor<B, 784> x) {
    auto [mu, logvar] = encode(x);
    auto eps = randn_like(mu); // N(0, I), mu's shape
    auto z = mu + exp(0.5f * logvar) * eps;
    auto [recon, kl] = terms(x, mu, logvar, z);
    auto r = batch_mean(recon);
    auto k = batch_mean(kl);
    return {r + k, r, k};
  }

  // Mean of the decoder's output at z = mu (no sampling).
  Tensor<B, 784> reconstruct(Tensor<B, 784> x) {
    return sigmoid(decode(encode(x).first));
  }

  // Per-image anomaly score: the negative ELBO with z = mu instead of a
  // sample, so the score is deterministic (no seed) and a single pass.
  Tensor<B> score(Tensor<B, 784> x) {
    auto [mu, logvar] = encode(x);
    auto [recon, kl] = terms(x, mu, logvar, mu);
    return recon + kl;
  }
};

KILN_MODEL(Vae, "vae") {
  // What each entry point consumes and produces is the model's contract
  // with the kiln CLI (docs/dsl.md): images are pixels in [0, 1].
  train("train_step", &Vae::loss, Adam{.lr = 1e-3})
      .inputs("x")
      .consumes(data::images())
      .outputs("loss", "recon", "kl")
      .batch(128);
  // The same loss without an update: one-sample negative ELBO for evaluation.
  infer("loss", &Vae::loss)
      .inputs("x")
      .consumes(data::images())
      .outputs("loss", "recon", "kl")
      .produces(data::loss(), data::loss(), data::loss());
  infer("encode", &Vae::encode)
      .inputs("x")
      .consumes(data::images())
      .outputs("mu", "logvar")
      .produces(data::latent(), data::latent());
  infer("decode", &Vae::decode).inputs("z").outputs("logits");
  infer("decode_probs", &Vae::decode_probs)
      .inputs("z")
      .consumes(data::noise())
      .outputs("probs")
      .produces(data::images());
  infer("sample", &Vae::decode_probs).inputs("z").outputs("probs");
  // The decoder of encodings (a latent diffusion model's samples).
  infer("decode_latents", &Vae::decode_probs)
      .inputs("z")
      .consumes(data::latent())
      .outputs("probs")
      .produces(data::images());
  infer("reconstruct", &Vae::reconstruct)
      .inputs("x")
      .consumes(data::images())
      .outputs("probs")
      .produces(data::images());
  infer("score", &Vae::score)
      .inputs("x")
      .consumes(data::images())
      .outputs("score")
      .produces(data::score());
}
