// What a compiled model looks like to the runtime. kilnc generates one
// ModelDesc per model (NAME.plan.cpp); the CLI and tests use it generically.
#pragma once

#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

class Session;

enum class InitKind { zeros, ones, constant, uniform, normal };

// Trained parameters, and optimizer state (Adam's moments, step counts)
// that the optimizer pass adds; both are checkpointed.
// parameter: trained and checkpointed; state: updated by entry points and
// checkpointed (optimizer moments); buffer: set by the runtime, not
// checkpointed (a train entry point's learning rate, "ENTRY.lr").
enum class ParamRole { parameter, state, buffer };

struct ParamDesc {
  std::string_view name; // PyTorch-style, e.g. "decoder.0.weight"
  std::vector<int64_t> shape;
  InitKind init;
  double a = 0, b = 0; // constant: a; uniform: [a, b); normal: mean a, std b
  ParamRole role = ParamRole::parameter;
};

// One dimension of an entry point's input or output: a static size, or a
// symbol ("batch") bound from the inputs when the entry point is called.
struct DimDesc {
  int64_t size = 0;        // meaningful when symbol is empty
  std::string_view symbol; // empty for a static dimension
};

// What a tensor means to the tools that drive the model (kiln.data; the
// model's contract, docs/dsl.md): inputs are images (pixels in [min, max]),
// one-hot labels, noise z ~ N(0, I), text (bytes) with its next bytes and
// its position; outputs are images, loss terms, class logits, features,
// latents, per-example scores or next-byte logits.
enum class DataKind {
  unspecified,
  images,
  onehot,
  noise,
  loss,
  logits,
  features,
  latent,
  score,
  text,          // i32 [batch, T]: bytes (tokens) of a window
  next_text,     // i32 [batch, T]: the byte after each of text's
  position,      // i32 scalar: where text starts in the window (KV cache)
  source,        // i32 [batch, S]: a sequence task's input, 0-padded
  timestep,      // i32 [batch]: a diffusion timestep in [0, T)
  prev_timestep, // i32 [batch]: the timestep a step goes to, plus one
  eta,           // f32 scalar: DDIM's eta
  next_logits    // [batch, T, V]: scores of the byte after each of text's
};

struct DataDesc {
  DataKind kind = DataKind::unspecified;
  // images: the pixel range; timesteps: their count (max); a position:
  // the window's length (max, 0 when the model does not say).
  double min = 0, max = 0;
};

struct TensorDesc {
  std::string_view name;
  std::vector<DimDesc> dims;
  DataDesc data{};
  DType dtype = DType::f32; // i32: token ids, class indices
};

// Runs an entry point. Inputs are checked against the descriptors by
// Session::run before this is called; outputs are resized by the plan.
using EntryFn = void (*)(Session &, std::span<const Tensor *const> inputs,
                         std::span<Tensor *const> outputs);

// A lower bound on a symbol that an entry point needs (kiln.minimums):
// BatchNorm in training mode needs more than one value per channel, so a
// batch of at least 2 for [N, C] inputs.
struct SymbolMinimum {
  std::string_view symbol;
  int64_t min = 1;
  std::string_view why; // what needs it, with its source location
};

struct EntryDesc {
  std::string_view name;
  // "infer" or "train"; "gradients" and "update" for the halves of a
  // train entry point that kilnc --data-parallel adds (docs/ir.md).
  std::string_view kind;
  std::vector<TensorDesc> inputs;
  std::vector<TensorDesc> outputs;
  EntryFn run = nullptr;
  std::vector<SymbolMinimum> minimums; // checked by Session::run
  // A sequence (docs/ir.md kiln.sequences): the train entry points one call
  // runs, in order; empty otherwise.
  std::vector<std::string_view> sequence;
  // The batch a tool trains with unless told otherwise (kiln.batch); 0 when
  // the model does not say.
  int64_t batch = 0;
};

struct ModelDesc {
  std::string_view name;
  std::vector<ParamDesc> params;
  std::vector<EntryDesc> entries;
  // The targets its kernels were compiled for, in dispatch order
  // (kernel_variants.h); empty for a model without kernels.
  std::vector<KernelVariant> kernel_variants;
  // Whether it was also built with CUDA or OpenCL kernels (kiln_add_model's
  // GPU).
  bool cuda_kernels = false;
  bool opencl_kernels = false;

  const EntryDesc *find_entry(std::string_view entry) const;
};

// The models linked into this program (the kiln CLI links them all).
void register_model(const ModelDesc &model);
const ModelDesc *find_model(std::string_view name);
std::vector<const ModelDesc *> registered_models();

} // namespace kiln::rt
