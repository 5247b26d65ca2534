// A hand-written trainable stand-in for the compiled VAE, with the same
// entry points, so that checkpoints and `kiln train/eval/sample/...` can be
// tested without kilnc. A linear "VAE" with a 2-d latent:
//
//   params  enc.weight [2, 784] uniform(-0.05, 0.05)
//           dec.weight [784, 2] uniform(-0.5, 0.5), dec.bias [784] zeros
//   state   dec.weight.momentum_buffer, dec.bias.momentum_buffer,
//           train_step.step [] (SGD with momentum 0.9, lr 0.01, like
//           kilnc's optimizer pass names them)
//   mu = x enc^T, logvar = 0, z = mu + eps (eps ~ N(0, 1) from the session's
//   random key, so results depend on the random counter as compiled models'
//   do), logits = z dec^T + bias; recon = sum BCE-with-logits, kl = |mu|^2/2.
//
//   train_step (train)  x [batch, 784] -> loss, recon, kl   (updates the
//                       decoder only: the encoder gets no gradient here)
//   loss                x [batch, 784] -> loss, recon, kl
//   encode              x [batch, 784] -> mu [batch, 2], logvar [batch, 2]
//   decode_probs        z [batch, 2] -> probs [batch, 784]
//   reconstruct         x [batch, 784] -> probs [batch, 784]   (z = mu)
//   score               x [batch, 784] -> score [batch]        (z = mu)
#pragma once

#include "kiln/runtime/model.h"

#include <cstdint>

const kiln::rt::ModelDesc &kiln_model_fake_vae();

// When > 0, train_step raises SIGINT after the update that makes the step
// count equal to it (to test Ctrl-C handling deterministically).
extern int64_t fake_vae_interrupt_at_step;
// The signal it raises (SIGINT by default) and how many times in a row.
extern int fake_vae_interrupt_signal;
extern int fake_vae_interrupt_count;
