#include "fake_gan_model.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <vector>

using kiln::rt::Session;
using kiln::rt::Tensor;

int64_t fake_gan_interrupt_at_step = 0;
int64_t fake_gan_z_mismatches = 0;
bool fake_classifier_check_labels = false;
int64_t fake_classifier_label_mismatches = 0;

namespace {

constexpr int64_t kPixels = 784, kLatent = 64, kFeatures = 16, kClasses = 10;

float softplus(float v) {
  return std::max(v, 0.0f) + std::log1p(std::exp(-std::abs(v)));
}
float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// Momentum SGD on one parameter: buf = m buf + g; p -= lr buf.
void sgd(float *param, float *buf, const std::vector<float> &grad, float lr,
         float momentum) {
  for (size_t i = 0; i < grad.size(); ++i) {
    buf[i] = momentum * buf[i] + grad[i];
    param[i] -= lr * buf[i];
  }
}

void set_scalars(std::span<Tensor *const> out,
                 std::initializer_list<double> values) {
  size_t k = 0;
  for (double v : values) {
    out[k]->resize({});
    out[k++]->data()[0] = static_cast<float>(v);
  }
}

// ---- fake_gan ------------------------------------------------------------

enum GanParam {
  kGW,
  kGB,
  kGRunning,
  kDW,
  kDB,
  kGWBuf,
  kGBBuf,
  kDWBuf,
  kDBBuf,
  kDSteps,
  kGSteps
};
constexpr float kGanLr = 0.05f, kGanMomentum = 0.5f;
std::vector<float> last_d_z; // the z of the last d_step

// Pre-activations W z + b, [batch, 784].
std::vector<float> pre_activations(Session &s, const Tensor &z) {
  const int64_t batch = z.dim(0);
  const float *w = s.params().at(kGW).data(), *b = s.params().at(kGB).data();
  std::vector<float> pre(static_cast<size_t>(batch * kPixels));
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t p = 0; p < kPixels; ++p) {
      float acc = b[p];
      for (int64_t k = 0; k < kLatent; ++k)
        acc += w[p * kLatent + k] * z.data()[i * kLatent + k];
      pre[static_cast<size_t>(i * kPixels + p)] = acc;
    }
  return pre;
}

// Training-mode G: tanh(pre - batch mean); returns the images and the
// batch mean of pre.
std::vector<float> generate_train(Session &s, const Tensor &z,
                                  std::vector<float> &batch_mean) {
  const int64_t batch = z.dim(0);
  std::vector<float> x = pre_activations(s, z);
  batch_mean.assign(kPixels, 0.0f);
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t p = 0; p < kPixels; ++p)
      batch_mean[static_cast<size_t>(p)] +=
          x[static_cast<size_t>(i * kPixels + p)] / static_cast<float>(batch);
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t p = 0; p < kPixels; ++p) {
      float &v = x[static_cast<size_t>(i * kPixels + p)];
      v = std::tanh(v - batch_mean[static_cast<size_t>(p)]);
    }
  return x;
}

std::vector<float> discriminate_rows(Session &s, const float *x,
                                     int64_t batch) {
  const float *w = s.params().at(kDW).data(), *c = s.params().at(kDB).data();
  std::vector<float> logits(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) {
    float acc = c[0];
    for (int64_t p = 0; p < kPixels; ++p)
      acc += w[p] * x[i * kPixels + p];
    logits[static_cast<size_t>(i)] = acc;
  }
  return logits;
}

void d_step(Session &s, std::span<const Tensor *const> in,
            std::span<Tensor *const> out) {
  const Tensor &real = *in[0], &z = *in[1];
  const int64_t batch = real.dim(0);
  last_d_z.assign(z.values().begin(), z.values().end());
  std::vector<float> mean;
  const std::vector<float> fake = generate_train(s, z, mean);
  const std::vector<float> lr = discriminate_rows(s, real.data(), batch);
  const std::vector<float> lf = discriminate_rows(s, fake.data(), batch);
  double loss = 0, d_real = 0, d_fake = 0;
  std::vector<float> gw(kPixels, 0.0f), gb(1, 0.0f);
  const float inv = 1.0f / static_cast<float>(batch);
  for (int64_t i = 0; i < batch; ++i) {
    const float r = lr[static_cast<size_t>(i)], f = lf[static_cast<size_t>(i)];
    loss += softplus(-r) + softplus(f);
    d_real += sigmoid(r);
    d_fake += sigmoid(f);
    const float gr = -sigmoid(-r) * inv, gf = sigmoid(f) * inv;
    gb[0] += gr + gf;
    for (int64_t p = 0; p < kPixels; ++p)
      gw[static_cast<size_t>(p)] +=
          gr * real.data()[i * kPixels + p] +
          gf * fake[static_cast<size_t>(i * kPixels + p)];
  }
  sgd(s.params().at(kDW).data(), s.params().at(kDWBuf).data(), gw, kGanLr,
      kGanMomentum);
  sgd(s.params().at(kDB).data(), s.params().at(kDBBuf).data(), gb, kGanLr,
      kGanMomentum);
  s.params().at(kDSteps).data()[0] += 1;
  set_scalars(out, {loss / batch, d_real / batch, d_fake / batch});
}

void g_step(Session &s, std::span<const Tensor *const> in,
            std::span<Tensor *const> out) {
  const Tensor &z = *in[0];
  const int64_t batch = z.dim(0);
  if (std::vector<float>(z.values().begin(), z.values().end()) != last_d_z)
    ++fake_gan_z_mismatches;
  std::vector<float> mean;
  const std::vector<float> x = generate_train(s, z, mean);
  const std::vector<float> l = discriminate_rows(s, x.data(), batch);
  const float *dw = s.params().at(kDW).data();
  const float inv = 1.0f / static_cast<float>(batch);
  double loss = 0;
  // dL/dh, then through the batch-mean subtraction: dpre = dh - mean(dh).
  std::vector<float> dh(x.size()), dh_mean(kPixels, 0.0f);
  for (int64_t i = 0; i < batch; ++i) {
    const float li = l[static_cast<size_t>(i)];
    loss += softplus(-li);
    const float dl = -sigmoid(-li) * inv;
    for (int64_t p = 0; p < kPixels; ++p) {
      const size_t j = static_cast<size_t>(i * kPixels + p);
      dh[j] = dl * dw[p] * (1 - x[j] * x[j]);
      dh_mean[static_cast<size_t>(p)] += dh[j] * inv;
    }
  }
  std::vector<float> gw(kPixels * kLatent, 0.0f), gb(kPixels, 0.0f);
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t p = 0; p < kPixels; ++p) {
      const float d = dh[static_cast<size_t>(i * kPixels + p)] -
                      dh_mean[static_cast<size_t>(p)];
      gb[static_cast<size_t>(p)] += d;
      for (int64_t k = 0; k < kLatent; ++k)
        gw[static_cast<size_t>(p * kLatent + k)] +=
            d * z.data()[i * kLatent + k];
    }
  sgd(s.params().at(kGW).data(), s.params().at(kGWBuf).data(), gw, kGanLr,
      kGanMomentum);
  sgd(s.params().at(kGB).data(), s.params().at(kGBBuf).data(), gb, kGanLr,
      kGanMomentum);
  float *running = s.params().at(kGRunning).data();
  for (int64_t p = 0; p < kPixels; ++p)
    running[p] = 0.9f * running[p] + 0.1f * mean[static_cast<size_t>(p)];
  float &step = s.params().at(kGSteps).data()[0];
  step += 1;
  set_scalars(out, {loss / batch});
  if (fake_gan_interrupt_at_step > 0 &&
      static_cast<int64_t>(step) == fake_gan_interrupt_at_step)
    std::raise(SIGINT);
}

// d_step then g_step on the same z, as the real GAN's sequence.
void train_step(Session &s, std::span<const Tensor *const> in,
                std::span<Tensor *const> out) {
  d_step(s, in, out.first(3));
  const Tensor *z = in[1];
  g_step(s, std::span(&z, 1), out.subspan(3));
}

void generate(Session &s, std::span<const Tensor *const> in,
              std::span<Tensor *const> out) {
  const Tensor &z = *in[0];
  std::vector<float> x = pre_activations(s, z);
  const float *running = s.params().at(kGRunning).data();
  for (size_t j = 0; j < x.size(); ++j)
    x[j] = std::tanh(x[j] - running[j % kPixels]);
  *out[0] = Tensor({z.dim(0), 1, 28, 28}, std::move(x));
}

void discriminate(Session &s, std::span<const Tensor *const> in,
                  std::span<Tensor *const> out) {
  const int64_t batch = in[0]->dim(0);
  *out[0] = Tensor({batch, 1}, discriminate_rows(s, in[0]->data(), batch));
}

// ---- fake_classifier -----------------------------------------------------

enum ClassifierParam { kF, kHW, kHB, kHWBuf, kHBBuf, kCSteps };
constexpr float kClsLr = 0.5f, kClsMomentum = 0.9f;

std::vector<float> features_of(Session &s, const Tensor &x) {
  const int64_t batch = x.dim(0);
  const float *f = s.params().at(kF).data();
  std::vector<float> h(static_cast<size_t>(batch * kFeatures));
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t k = 0; k < kFeatures; ++k) {
      float acc = 0;
      for (int64_t p = 0; p < kPixels; ++p)
        acc += f[k * kPixels + p] * x.data()[i * kPixels + p];
      h[static_cast<size_t>(i * kFeatures + k)] = std::tanh(acc);
    }
  return h;
}

std::vector<float> logits_of(Session &s, const std::vector<float> &h,
                             int64_t batch) {
  const float *w = s.params().at(kHW).data(), *b = s.params().at(kHB).data();
  std::vector<float> logits(static_cast<size_t>(batch * kClasses));
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t c = 0; c < kClasses; ++c) {
      float acc = b[c];
      for (int64_t k = 0; k < kFeatures; ++k)
        acc += w[c * kFeatures + k] * h[static_cast<size_t>(i * kFeatures + k)];
      logits[static_cast<size_t>(i * kClasses + c)] = acc;
    }
  return logits;
}

void classifier_train_step(Session &s, std::span<const Tensor *const> in,
                           std::span<Tensor *const> out) {
  const Tensor &x = *in[0], &onehot = *in[1];
  const int64_t batch = x.dim(0);
  std::vector<int> labels;
  for (int64_t i = 0; i < batch; ++i) {
    int label = -1, ones = 0;
    for (int64_t c = 0; c < kClasses; ++c) {
      const float v = onehot.data()[i * kClasses + c];
      if (v == 1.0f) {
        label = static_cast<int>(c);
        ++ones;
      } else if (v != 0.0f) {
        ones = -100;
      }
    }
    if (ones != 1)
      throw kiln::rt::Error(
          fmt::format("fake_classifier: onehot row {} is not one-hot", i));
    labels.push_back(label);
    if (fake_classifier_check_labels) {
      const auto first =
          static_cast<int>(std::lround(x.data()[i * kPixels] * 255));
      const int n = (first * 213) % 256; // 213 = 125^-1 mod 256
      if (n % 10 != label)
        ++fake_classifier_label_mismatches;
    }
  }
  const std::vector<float> h = features_of(s, x);
  const std::vector<float> logits = logits_of(s, h, batch);
  std::vector<float> gw(kClasses * kFeatures, 0.0f), gb(kClasses, 0.0f);
  double loss = 0;
  for (int64_t i = 0; i < batch; ++i) {
    const float *row = logits.data() + i * kClasses;
    const float top = *std::max_element(row, row + kClasses);
    float sum = 0;
    for (int64_t c = 0; c < kClasses; ++c)
      sum += std::exp(row[c] - top);
    loss += top + std::log(sum) - row[labels[static_cast<size_t>(i)]];
    for (int64_t c = 0; c < kClasses; ++c) {
      const float g = (std::exp(row[c] - top) / sum -
                       (c == labels[static_cast<size_t>(i)] ? 1.0f : 0.0f)) /
                      static_cast<float>(batch);
      gb[static_cast<size_t>(c)] += g;
      for (int64_t k = 0; k < kFeatures; ++k)
        gw[static_cast<size_t>(c * kFeatures + k)] +=
            g * h[static_cast<size_t>(i * kFeatures + k)];
    }
  }
  sgd(s.params().at(kHW).data(), s.params().at(kHWBuf).data(), gw, kClsLr,
      kClsMomentum);
  sgd(s.params().at(kHB).data(), s.params().at(kHBBuf).data(), gb, kClsLr,
      kClsMomentum);
  s.params().at(kCSteps).data()[0] += 1;
  set_scalars(out, {loss / batch});
}

void classifier_logits(Session &s, std::span<const Tensor *const> in,
                       std::span<Tensor *const> out) {
  const int64_t batch = in[0]->dim(0);
  *out[0] =
      Tensor({batch, kClasses}, logits_of(s, features_of(s, *in[0]), batch));
}

void classifier_features(Session &s, std::span<const Tensor *const> in,
                         std::span<Tensor *const> out) {
  *out[0] = Tensor({in[0]->dim(0), kFeatures}, features_of(s, *in[0]));
}

} // namespace

const kiln::rt::ModelDesc &kiln_model_fake_gan() {
  using namespace kiln::rt;
  const DimDesc batch{0, "batch"};
  // The contract of the real GAN (models/gan.cpp): images in [-1, 1].
  const DataDesc images{DataKind::images, -1, 1};
  const TensorDesc image = {"x", {batch, {1, {}}, {28, {}}, {28, {}}}, images};
  const TensorDesc z = {"z", {batch, {kLatent, {}}}, {DataKind::noise}};
  const auto state = [](std::string_view name, std::vector<int64_t> shape) {
    return ParamDesc{name, std::move(shape), InitKind::zeros, 0,
                     0,    ParamRole::state};
  };
  const SymbolMinimum needs_two{"batch", 2,
                                "BatchNorm1d 'g.bn' needs two values per "
                                "channel"};
  static const ModelDesc model{
      .name = "fake_gan",
      .params =
          {
              {"generator.0.weight",
               {kPixels, kLatent},
               InitKind::normal,
               0,
               0.05},
              {"generator.0.bias", {kPixels}, InitKind::zeros},
              state("generator.1.running_mean", {kPixels}),
              {"discriminator.0.weight",
               {1, kPixels},
               InitKind::normal,
               0,
               0.01},
              {"discriminator.0.bias", {1}, InitKind::zeros},
              state("generator.0.weight.momentum_buffer", {kPixels, kLatent}),
              state("generator.0.bias.momentum_buffer", {kPixels}),
              state("discriminator.0.weight.momentum_buffer", {1, kPixels}),
              state("discriminator.0.bias.momentum_buffer", {1}),
              state("d_step.step", {}),
              state("g_step.step", {}),
          },
      .entries = {
          {"d_step",
           "train",
           {{"real", image.dims, images}, z},
           {{"d_loss", {}}, {"d_real", {}}, {"d_fake", {}}},
           d_step,
           {},
           {},
           64},
          // As the real GAN's: BatchNorm in training mode (kiln.minimums).
          {"g_step",
           "train",
           {z},
           {{"g_loss", {}}},
           g_step,
           {needs_two},
           {},
           64},
          // d_step then g_step in one call (kiln.sequences), as the real
          // GAN's train_step.
          {"train_step",
           "train",
           {{"real", image.dims, images}, z},
           {{"d_loss", {}}, {"d_real", {}}, {"d_fake", {}}, {"g_loss", {}}},
           train_step,
           {needs_two},
           {"d_step", "g_step"},
           64},
          {"generate",
           "infer",
           {z},
           {{"images", image.dims, images}},
           generate},
          {"discriminate",
           "infer",
           {image},
           {{"logits", {batch, {1, {}}}}},
           discriminate},
      }};
  return model;
}

const kiln::rt::ModelDesc &kiln_model_fake_classifier() {
  using namespace kiln::rt;
  const DimDesc batch{0, "batch"};
  // The contract of the real classifier (models/classifier.cpp).
  const TensorDesc image = {
      "x", {batch, {1, {}}, {28, {}}, {28, {}}}, {DataKind::images, 0, 1}};
  const auto state = [](std::string_view name, std::vector<int64_t> shape) {
    return ParamDesc{name, std::move(shape), InitKind::zeros, 0,
                     0,    ParamRole::state};
  };
  static const ModelDesc model{
      .name = "fake_classifier",
      .params =
          {
              {"features.weight",
               {kFeatures, kPixels},
               InitKind::normal,
               0,
               0.05},
              {"head.weight", {kClasses, kFeatures}, InitKind::zeros},
              {"head.bias", {kClasses}, InitKind::zeros},
              state("head.weight.momentum_buffer", {kClasses, kFeatures}),
              state("head.bias.momentum_buffer", {kClasses}),
              state("train_step.step", {}),
          },
      .entries = {
          {"train_step",
           "train",
           {image, {"onehot", {batch, {kClasses, {}}}, {DataKind::onehot}}},
           {{"loss", {}}},
           classifier_train_step,
           {},
           {},
           128},
          {"logits",
           "infer",
           {image},
           {{"logits", {batch, {kClasses, {}}}, {DataKind::logits}}},
           classifier_logits},
          {"features",
           "infer",
           {image},
           {{"features", {batch, {kFeatures, {}}}, {DataKind::features}}},
           classifier_features},
      }};
  return model;
}
