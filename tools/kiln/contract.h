// Finding a model's entry points by what their tensors mean (the model's
// contract, kiln.data; docs/dsl.md), never by their names: each command
// says what it needs, and takes the first entry point, in the order the
// model declares them, that fits; --entry picks another.
#pragma once

#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/model.h"

#include <string>
#include <vector>

namespace kiln::cli {

// What a command needs of an infer entry point.
struct Need {
  const char *what;                   // "consumes noise and produces images"
  std::vector<rt::DataKind> inputs;   // each exactly once, in any order
  std::vector<rt::DataKind> optional; // at most once each (one-hot labels)
  rt::DataKind output;                // the kind of its first output
  bool all_outputs = false;           // and of every other output
};

bool fits(const rt::EntryDesc &entry, const Need &need);

// The first infer entry point that fits one of `needs` (in that order of
// preference), or null.
const rt::EntryDesc *find_entry(const rt::ModelDesc &model,
                                const std::vector<Need> &needs);

// `name` if given (it must fit one of `needs`), else the first infer entry
// point that fits one of them. Throws UsageError saying what kiln
// `command` needs and what the model declares.
const rt::EntryDesc &entry_for(const rt::ModelDesc &model,
                               const std::string &name,
                               const std::vector<Need> &needs,
                               const char *command);

// The train entry points `kiln train` runs by default: the only train entry
// point that is no part of a sequence (a GAN's train_step, not its d_step
// and g_step). Throws UsageError when there is none or several.
const rt::EntryDesc &default_train_entry(const rt::ModelDesc &model);

// The index of `entry`'s input of `kind`, or -1.
int input_of(const rt::EntryDesc &entry, rt::DataKind kind);

// "images", "noise", ...; "unspecified" for none.
const char *kind_name(rt::DataKind kind);
// A tensor's meaning for messages: "images in [0, 1]", "noise", ...
std::string data_string(const rt::DataDesc &data);
rt::PixelRange pixel_range(const rt::DataDesc &images);

} // namespace kiln::cli
