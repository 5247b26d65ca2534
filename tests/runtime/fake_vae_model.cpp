#include "fake_vae_model.h"

#include "kiln/runtime/random.h"
#include "kiln/runtime/session.h"

#include <cmath>
#include <csignal>
#include <vector>

using kiln::rt::Session;
using kiln::rt::Tensor;

int64_t fake_vae_interrupt_at_step = 0;
int fake_vae_interrupt_signal = SIGINT;
int fake_vae_interrupt_count = 1;

namespace {

constexpr int64_t kPixels = 784, kLatent = 2;
constexpr float kLr = 0.01f, kMomentum = 0.9f;
enum Param { kEnc, kDecW, kDecB, kDecWBuf, kDecBBuf, kStep, kLrBuffer };

// mu [batch, 2] = x enc^T
std::vector<float> encode_mu(Session &s, const Tensor &x) {
  const int64_t batch = x.dim(0);
  const float *w = s.params().at(kEnc).data();
  std::vector<float> mu(static_cast<size_t>(batch * kLatent));
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t k = 0; k < kLatent; ++k) {
      float acc = 0;
      for (int64_t p = 0; p < kPixels; ++p)
        acc += x.data()[i * kPixels + p] * w[k * kPixels + p];
      mu[static_cast<size_t>(i * kLatent + k)] = acc;
    }
  return mu;
}

// logits [batch, 784] = z dec^T + bias
std::vector<float> decode_logits(Session &s, const float *z, int64_t batch) {
  const float *w = s.params().at(kDecW).data();
  const float *b = s.params().at(kDecB).data();
  std::vector<float> logits(static_cast<size_t>(batch * kPixels));
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t p = 0; p < kPixels; ++p) {
      float acc = b[p];
      for (int64_t k = 0; k < kLatent; ++k)
        acc += z[i * kLatent + k] * w[p * kLatent + k];
      logits[static_cast<size_t>(i * kPixels + p)] = acc;
    }
  return logits;
}

float softplus(float v) {
  return std::max(v, 0.0f) + std::log1p(std::exp(-std::abs(v)));
}
float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// Per-image recon and kl for latent z.
void terms(const Tensor &x, const std::vector<float> &mu,
           const std::vector<float> &logits, std::vector<float> &recon,
           std::vector<float> &kl) {
  const int64_t batch = x.dim(0);
  recon.assign(static_cast<size_t>(batch), 0.0f);
  kl.assign(static_cast<size_t>(batch), 0.0f);
  for (int64_t i = 0; i < batch; ++i) {
    for (int64_t p = 0; p < kPixels; ++p) {
      const float l = logits[static_cast<size_t>(i * kPixels + p)];
      recon[static_cast<size_t>(i)] +=
          softplus(l) - x.data()[i * kPixels + p] * l;
    }
    for (int64_t k = 0; k < kLatent; ++k)
      kl[static_cast<size_t>(i)] += 0.5f *
                                    mu[static_cast<size_t>(i * kLatent + k)] *
                                    mu[static_cast<size_t>(i * kLatent + k)];
  }
}

// The sampled forward pass shared by train_step and loss; returns z and
// logits for the update.
void sampled_loss(Session &s, const Tensor &x, std::span<Tensor *const> out,
                  std::vector<float> &z, std::vector<float> &logits) {
  const int64_t batch = x.dim(0);
  const Session::RandomKey key = s.next_random_key();
  const std::vector<float> mu = encode_mu(s, x);
  z.assign(static_cast<size_t>(batch * kLatent), 0.0f);
  kiln::rt::fill_normal(z, (uint64_t{key.seed_hi} << 32) | key.seed_lo,
                        key.counter, 0.0, 1.0);
  for (size_t j = 0; j < z.size(); ++j)
    z[j] += mu[j];
  logits = decode_logits(s, z.data(), batch);
  std::vector<float> recon, kl;
  terms(x, mu, logits, recon, kl);
  double r = 0, k = 0;
  for (int64_t i = 0; i < batch; ++i) {
    r += recon[static_cast<size_t>(i)];
    k += kl[static_cast<size_t>(i)];
  }
  r /= static_cast<double>(batch);
  k /= static_cast<double>(batch);
  for (Tensor *t : out)
    t->resize({});
  out[0]->data()[0] = static_cast<float>(r + k);
  out[1]->data()[0] = static_cast<float>(r);
  out[2]->data()[0] = static_cast<float>(k);
}

void train_step(Session &s, std::span<const Tensor *const> in,
                std::span<Tensor *const> out) {
  const Tensor &x = *in[0];
  const int64_t batch = x.dim(0);
  std::vector<float> z, logits;
  sampled_loss(s, x, out, z, logits);
  float *w = s.params().at(kDecW).data(), *b = s.params().at(kDecB).data();
  float *wbuf = s.params().at(kDecWBuf).data();
  float *bbuf = s.params().at(kDecBBuf).data();
  const float lr = s.params().at(kLrBuffer).data()[0];
  for (int64_t p = 0; p < kPixels; ++p) {
    float gb = 0, gw[kLatent] = {};
    for (int64_t i = 0; i < batch; ++i) {
      const float g = (sigmoid(logits[static_cast<size_t>(i * kPixels + p)]) -
                       x.data()[i * kPixels + p]) /
                      static_cast<float>(batch);
      gb += g;
      for (int64_t k = 0; k < kLatent; ++k)
        gw[k] += g * z[static_cast<size_t>(i * kLatent + k)];
    }
    bbuf[p] = kMomentum * bbuf[p] + gb;
    b[p] -= lr * bbuf[p];
    for (int64_t k = 0; k < kLatent; ++k) {
      float &buf = wbuf[p * kLatent + k];
      buf = kMomentum * buf + gw[k];
      w[p * kLatent + k] -= lr * buf;
    }
  }
  float &step = s.params().at(kStep).data()[0];
  step += 1;
  if (fake_vae_interrupt_at_step > 0 &&
      static_cast<int64_t>(step) == fake_vae_interrupt_at_step)
    for (int i = 0; i < fake_vae_interrupt_count; ++i)
      std::raise(fake_vae_interrupt_signal);
}

void loss(Session &s, std::span<const Tensor *const> in,
          std::span<Tensor *const> out) {
  std::vector<float> z, logits;
  sampled_loss(s, *in[0], out, z, logits);
}

void encode(Session &s, std::span<const Tensor *const> in,
            std::span<Tensor *const> out) {
  const std::vector<float> mu = encode_mu(s, *in[0]);
  *out[0] = Tensor({in[0]->dim(0), kLatent}, mu);
  *out[1] = Tensor({in[0]->dim(0), kLatent}); // logvar = 0
}

void probs_of(Session &s, const float *z, int64_t batch, Tensor &out) {
  std::vector<float> logits = decode_logits(s, z, batch);
  for (float &v : logits)
    v = sigmoid(v);
  out = Tensor({batch, kPixels}, std::move(logits));
}

void decode_probs(Session &s, std::span<const Tensor *const> in,
                  std::span<Tensor *const> out) {
  probs_of(s, in[0]->data(), in[0]->dim(0), *out[0]);
}

void reconstruct(Session &s, std::span<const Tensor *const> in,
                 std::span<Tensor *const> out) {
  const std::vector<float> mu = encode_mu(s, *in[0]);
  probs_of(s, mu.data(), in[0]->dim(0), *out[0]);
}

void score(Session &s, std::span<const Tensor *const> in,
           std::span<Tensor *const> out) {
  const Tensor &x = *in[0];
  const std::vector<float> mu = encode_mu(s, x);
  std::vector<float> recon, kl;
  terms(x, mu, decode_logits(s, mu.data(), x.dim(0)), recon, kl);
  for (size_t i = 0; i < recon.size(); ++i)
    recon[i] += kl[i];
  *out[0] = Tensor({x.dim(0)}, std::move(recon));
}

} // namespace

const kiln::rt::ModelDesc &kiln_model_fake_vae() {
  using namespace kiln::rt;
  const DimDesc batch{0, "batch"};
  // The contract of the real VAE (models/vae.cpp): images in [0, 1].
  const DataDesc images{DataKind::images, 0, 1}, term{DataKind::loss};
  const auto rows = [&](std::string_view name, int64_t n, DataDesc data) {
    return TensorDesc{name, {batch, {n, {}}}, data};
  };
  const TensorDesc x = rows("x", kPixels, images);
  const std::vector<TensorDesc> terms = {
      {"loss", {}, term}, {"recon", {}, term}, {"kl", {}, term}};
  static const ModelDesc model{
      .name = "fake_vae",
      .params =
          {
              {"enc.weight",
               {kLatent, kPixels},
               InitKind::uniform,
               -0.05,
               0.05},
              {"dec.weight", {kPixels, kLatent}, InitKind::uniform, -0.5, 0.5},
              {"dec.bias", {kPixels}, InitKind::zeros},
              {"dec.weight.momentum_buffer",
               {kPixels, kLatent},
               InitKind::zeros,
               0,
               0,
               ParamRole::state},
              {"dec.bias.momentum_buffer",
               {kPixels},
               InitKind::zeros,
               0,
               0,
               ParamRole::state},
              {"train_step.step", {}, InitKind::zeros, 0, 0, ParamRole::state},
              // The learning rate the runtime sets (a schedule), as kilnc
              // declares it for a compiled model.
              {"train_step.lr",
               {},
               InitKind::constant,
               kLr,
               0,
               ParamRole::buffer},
          },
      .entries = {
          {"train_step", "train", {x}, terms, train_step, {}, {}, 128},
          {"loss", "infer", {x}, terms, loss},
          {"encode",
           "infer",
           {x},
           {rows("mu", kLatent, {DataKind::latent}),
            rows("logvar", kLatent, {DataKind::latent})},
           encode},
          {"decode_probs",
           "infer",
           {rows("z", kLatent, {DataKind::noise})},
           {rows("probs", kPixels, images)},
           decode_probs},
          {"reconstruct",
           "infer",
           {x},
           {rows("probs", kPixels, images)},
           reconstruct},
          {"score",
           "infer",
           {x},
           {{"score", {batch}, {DataKind::score}}},
           score},
      }};
  return model;
}
