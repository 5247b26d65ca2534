// Hand-written trainable stand-ins for the compiled GAN and classifier,
// with their entry points (the contract of models/gan.cpp and
// models/classifier.cpp), so that `kiln train/eval/sample/fid` can be tested
// without kilnc.
//
// fake_gan: latent 64, images [batch, 1, 28, 28] in [-1, 1].
//   G: x = tanh(h), h = W z + b minus the batch mean of W z + b in training
//      (a BatchNorm without scale), minus generator.1.running_mean in eval
//      mode (generate). D: logit = w . x + c.
//   params  generator.0.weight [784, 64] normal(0, 0.05), generator.0.bias
//           [784], discriminator.0.weight [1, 784] normal(0, 0.01),
//           discriminator.0.bias [1]
//   state   generator.1.running_mean [784] (updated by g_step, momentum
//           0.1), a momentum_buffer per parameter (SGD, momentum 0.5),
//           d_step.step, g_step.step
//   d_step (train)  real [batch, 1, 28, 28], z [batch, 64]
//                   -> d_loss, d_real, d_fake   (updates D only)
//   g_step (train)  z [batch, 64] -> g_loss      (updates G only)
//   generate        z [batch, 64] -> images [batch, 1, 28, 28]
//   discriminate    x [batch, 1, 28, 28] -> logits [batch, 1]
//
// fake_classifier: features = tanh(F x) [batch, 16] (F fixed), logits =
//   head(features) [batch, 10], trained by SGD (momentum 0.9) on the mean
//   cross-entropy; pixels in [0, 1].
//   train_step (train)  x [batch, 1, 28, 28], onehot [batch, 10] -> loss
//                       (throws Error when a row of onehot is not one-hot)
//   logits              x [batch, 1, 28, 28] -> logits [batch, 10]
//   features            x [batch, 1, 28, 28] -> features [batch, 16]
#pragma once

#include "kiln/runtime/model.h"

#include <cstdint>

const kiln::rt::ModelDesc &kiln_model_fake_gan();
const kiln::rt::ModelDesc &kiln_model_fake_classifier();

// When > 0, g_step raises SIGINT after the update that makes its step count
// equal to it (to test Ctrl-C handling deterministically).
extern int64_t fake_gan_interrupt_at_step;
// Calls of g_step whose z differed from the z of the d_step before it.
extern int64_t fake_gan_z_mismatches;

// With the fake Fashion-MNIST training set of tests/runtime/test_files.cpp
// (fewer than 256 images), the index n of an image can be read from its
// first pixel ((125 n) mod 256) and its label is n % 10. When true,
// train_step counts rows whose one-hot label is not that label.
extern bool fake_classifier_check_labels;
extern int64_t fake_classifier_label_mismatches;
