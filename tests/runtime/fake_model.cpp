#include "fake_model.h"

#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <cstring>

using kiln::rt::BufferView;
using kiln::rt::Session;
using kiln::rt::Tensor;

namespace {

// Reads element (row, col) of a 2-D view through Halide's reversed dims, as
// a Halide kernel would: dim 0 is the column.
float at(const halide_buffer_t &b, int64_t row, int64_t col) {
  const auto *p = reinterpret_cast<const float *>(b.host);
  return p[col * b.dim[0].stride + row * b.dim[1].stride];
}

void affine(Session &s, std::span<const Tensor *const> in,
            std::span<Tensor *const> out) {
  BufferView x(*in[0]);
  const int64_t batch = x.buffer.dim[1].extent;
  const Tensor &bias = s.params().at(0);
  // Stage through the arena as a multi-kernel plan would.
  float *tmp = s.arena(0, static_cast<size_t>(batch) * 3 * sizeof(float));
  for (int64_t r = 0; r < batch; ++r)
    for (int64_t c = 0; c < 3; ++c)
      tmp[r * 3 + c] = 2 * at(x.buffer, r, c);
  out[0]->resize({batch, 3});
  for (int64_t r = 0; r < batch; ++r)
    for (int64_t c = 0; c < 3; ++c)
      out[0]->data()[r * 3 + c] = tmp[r * 3 + c] + bias.data()[c];
  kiln::rt::check_kernel(0, "fake_affine");
}

void pair(Session &, std::span<const Tensor *const> in,
          std::span<Tensor *const> out) {
  const Tensor &a = *in[0], &b = *in[1];
  out[0]->resize(b.shape());
  for (int64_t r = 0; r < b.dim(0); ++r)
    for (int64_t c = 0; c < b.dim(1); ++c)
      out[0]->data()[r * b.dim(1) + c] =
          b.data()[r * b.dim(1) + c] + a.data()[r * 3];
}

// An integer result: the column of each row's largest value. Its output
// arrives an i32 tensor of the right size (Session::run sizes and types
// outputs the inputs determine), so the plan writes ints() directly.
void argmax(Session &, std::span<const Tensor *const> in,
            std::span<Tensor *const> out) {
  const Tensor &x = *in[0];
  for (int64_t r = 0; r < x.dim(0); ++r) {
    int32_t best = 0;
    for (int32_t c = 1; c < 3; ++c)
      if (x.data()[r * 3 + c] > x.data()[r * 3 + best])
        best = c;
    out[0]->ints()[r] = best;
  }
}

void wrong_shape(Session &, std::span<const Tensor *const> in,
                 std::span<Tensor *const> out) {
  out[0]->resize({in[0]->dim(0), 4});
}

void failing(Session &, std::span<const Tensor *const>,
             std::span<Tensor *const>) {
  kiln::rt::check_kernel(halide_error_code_access_out_of_bounds,
                         "fake_failing");
}

kiln::rt::DimDesc sym(std::string_view symbol) { return {0, symbol}; }
kiln::rt::DimDesc fixed(int64_t size) { return {size, {}}; }
kiln::rt::TensorDesc batch_by(std::string_view name, int64_t n) {
  return {name, {sym("batch"), fixed(n)}};
}

} // namespace

const kiln::rt::ModelDesc &kiln_model_fake() {
  using namespace kiln::rt;
  static const ModelDesc model{
      .name = "fake",
      .params = {{"linear.bias", {3}, InitKind::constant, 0.5},
                 {"embed.weight", {4, 3}, InitKind::normal, 0.0, 0.02},
                 // As an optimizer pass would add it (no entry uses it).
                 {"affine.step", {}, InitKind::zeros, 0, 0, ParamRole::state}},
      .entries = {
          {"affine", "infer", {batch_by("x", 3)}, {batch_by("y", 3)}, affine},
          {"pair",
           "infer",
           {batch_by("a", 3), {"b", {sym("batch"), sym("seq")}}},
           {{"out", {sym("batch"), sym("seq")}}},
           pair},
          {"wrong_shape",
           "infer",
           {batch_by("x", 3)},
           {batch_by("y", 3)},
           wrong_shape},
          {"failing", "infer", {batch_by("x", 3)}, {batch_by("y", 3)}, failing},
          {"argmax",
           "infer",
           {batch_by("x", 3)},
           {{"ids", {sym("batch")}, {}, DType::i32}},
           argmax},
      }};
  return model;
}
