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
// attributes as template arguments. Pointwise ops declare theirs where
// they are defined (elementwise.h).
namespace op {
template <bool TransposeA, bool TransposeB> struct matmul;
struct scaled_dot_product_attention;
struct linear;
template <int Axis, bool KeepDim> struct reduce_sum;
template <int Axis, bool KeepDim> struct reduce_mean;
template <int Axis, bool KeepDim> struct reduce_max;
template <int Axis> struct dim_size;
template <int Stride, int Padding> struct conv2d;
template <int Stride, int Padding> struct conv_transpose2d;
template <int Kernel> struct max_pool2d;
template <int Kernel> struct avg_pool2d;
struct flatten;
struct reshape;
template <int Axis> struct concat;
template <int Axis, int Start, int Size> struct slice;
template <int... Sizes> struct split;
struct transpose;
template <int... Permutation> struct permute;
template <int Axis> struct gather;
struct constant;
struct parameter;
struct bce_with_logits;
struct mse;
struct gaussian_kl;
template <int Axis> struct log_softmax;
struct cross_entropy_with_onehot;
struct cross_entropy;
struct layer_norm;
struct normalize;
struct batch_norm;
} // namespace op

} // namespace kiln::dsl
