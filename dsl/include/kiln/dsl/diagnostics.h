// Names that appear in compile errors.
//
// C++20 has no user-formatted static_assert messages, so a failed static
// shape check does two things in the same `if constexpr` branch: a
// static_assert with a fixed sentence, and an instantiation of the undefined
// ShapeMismatch<Op, Shapes...>. Clang then prints the op and both shapes in
// the error ("implicit instantiation of undefined template
// 'kiln::dsl::ShapeMismatch<kiln::dsl::Linear<512, 256>,
// kiln::dsl::Tensor<kiln::dsl::batch, 32>>'") and the user's file:line in the
// "in instantiation of ... requested here" note.
#pragma once

namespace kiln::dsl {

// Never defined: instantiating it is the error.
template <class Op, class... Shapes> struct ShapeMismatch;

// Op tags, named like the `kiln` dialect ops (docs/ir.md), with their static
// attributes as template arguments.
namespace op {
struct add;
struct sub;
struct mul;
struct div;
struct max;
struct min;
template <bool TransposeA, bool TransposeB> struct matmul;
struct linear;
template <int Axis, bool KeepDim> struct reduce_sum;
template <int Axis, bool KeepDim> struct reduce_mean;
struct reshape;
template <int Axis> struct concat;
template <int Axis, int Start, int Size> struct slice;
template <int... Sizes> struct split;
struct transpose;
struct constant;
struct parameter;
struct bce_with_logits;
struct mse;
struct gaussian_kl;
} // namespace op

} // namespace kiln::dsl
