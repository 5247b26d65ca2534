// What an entry point's inputs and outputs mean: the model's contract with
// the tools that drive it (the kiln CLI), so that nothing is guessed from a
// name (docs/dsl.md, "The model's contract").
//
//   train("train_step", &Vae::loss, Adam{.lr = 1e-3})
//       .inputs("x").consumes(data::images())   // pixels in [0, 1]
//       .batch(128);                            // the default batch
//   infer("sample", &Vae::decode_probs)
//       .inputs("z").consumes(data::noise())    // z ~ N(0, I)
//       .outputs("probs").produces(data::images());
//
// A train entry point's outputs are its loss and loss terms by definition.
// kilnc checks that each tensor's shape fits its meaning.
#pragma once

namespace kiln::dsl {

// One tensor's meaning: a kind, and for images their pixel range.
struct Data {
  const char *kind;
  double min = 0, max = 0;
};

namespace data {

// Inputs.
// Images [batch, ...] (any static shape after the batch), pixels in
// [min, max]: [0, 1] by default, [-1, 1] for a tanh generator's data.
constexpr Data images(double min = 0, double max = 1) {
  return {"images", min, max};
}
// The images' class labels, one-hot: [batch, classes].
constexpr Data onehot() { return {"onehot"}; }
// Noise z ~ N(0, I) [batch, L], drawn by the tool from the run's seed.
constexpr Data noise() { return {"noise"}; }
// Text: Ints [batch, T], one byte (0..255) per position, a window of a
// corpus (kiln train draws random windows).
constexpr Data text() { return {"text"}; }
// The byte that follows each of text's, Ints [batch, T]: the targets of a
// language model.
constexpr Data next_text() { return {"next_text"}; }
// The input of a sequence-to-sequence task, Ints [batch, S]: bytes,
// right-padded with 0 (kiln/runtime/sequence_task.h). With it, text is the
// decoder's input (BOS, then the target) and next_text the target then EOS.
constexpr Data source() { return {"source"}; }
// A diffusion model's timestep per image, Ints [batch] in [0, steps).
constexpr Data timestep(int steps) { return {"timestep", 0, double(steps)}; }
// The timestep a sampler step goes to, plus one, Ints [batch] in [0,
// steps]: 0 is the clean image (DDIM's last step).
constexpr Data prev_timestep(int steps) {
  return {"prev_timestep", 0, double(steps)};
}
// DDIM's eta, a float scalar: 0 deterministic, 1 DDPM-like noise.
constexpr Data eta() { return {"eta"}; }
// Ints<> scalar: the position in the model's window of text's first byte
// (where a decode step writes its KV cache). `window`, when given, is the
// number of positions (the KV cache's length): kiln generate keeps that
// many bytes, and a prefill whose text has a symbolic length reads only the
// prompt's.
constexpr Data position(int window = 0) {
  return {"position", 0, double(window)};
}

// Outputs (images() too).
// A scalar loss term: kiln eval averages it over a split.
constexpr Data loss() { return {"loss"}; }
// Class scores [batch, classes]: kiln eval reports accuracy.
constexpr Data logits() { return {"logits"}; }
// An embedding [batch, N] (a classifier's features, for FID).
constexpr Data features() { return {"features"}; }
// An encoding [batch, L]: kiln encode writes it. Also an input: kiln train
// feeds the encodings of a file kiln encode wrote (a latent diffusion
// model's data), and a decoder's entry point consumes them (kiln sample
// decodes a latent diffusion model's samples with it).
constexpr Data latent() { return {"latent"}; }
// One score per example [batch] (an anomaly score; kiln score).
constexpr Data score() { return {"score"}; }
// Scores of the next byte [batch, T, V] after each position of a text
// input (kiln generate samples from the last).
constexpr Data next_logits() { return {"next_logits"}; }

} // namespace data
} // namespace kiln::dsl
