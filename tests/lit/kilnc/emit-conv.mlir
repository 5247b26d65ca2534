// The Halide generators kilnc writes for convolutions: the algorithm is a
// call of the building block with every static size spelled out, the bias
// and activation are the epilogue, the schedule is schedule_conv2d; the
// weight gradient reads the batch off an input; reduce_max goes through
// reduce() with ReduceOp::Max.
// RUN: kilnc %inputs/small_conv.mlir --emit=kernels | FileCheck %s

// CHECK-LABEL: // kiln_conv_forward_k0: conv2d (models/conv.cpp:10) add (models/conv.cpp:10) relu (models/conv.cpp:11)
// CHECK: Input<Buffer<float>> in0{"in0", 4}; // [batch, 1, 8, 6]
// CHECK: Input<Buffer<float>> in1{"in1", 4}; // [4, 1, 3, 3]
// CHECK: Input<Buffer<float>> in2{"in2", 3}; // [4, 1, 1]
// CHECK: Output<Buffer<float>> out0{"out0", 4}; // [batch, 4, 4, 3]
// CHECK: kiln::halide::Conv2d conv0;
// CHECK: conv0 = kiln::halide::conv2d(in0, in1, {.channels = 1, .height = 8, .width = 6, .out_channels = 4, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1}, get_target());
// CHECK: v0(d0, d1, d2, d3) = conv0.result(d0, d1, d2, d3);
// CHECK: v1(d0, d1, d2, d3) = v0(d0, d1, d2, d3) + in2(0, 0, d2);
// CHECK: v2(d0, d1, d2, d3) = max(v1(d0, d1, d2, d3), Expr(0x0p+0f));
// CHECK: kiln::halide::schedule_conv2d(conv0, out0, {d0, d1, d2, d3}, get_target());

// CHECK-LABEL: // kiln_conv_forward_k2: reduce_max
// CHECK: red0 = kiln::halide::reduce(kiln::halide::ReduceOp::Max, in0, {3, 4, 6, sym_batch}, {2}, false);

// CHECK-LABEL: // kiln_conv_train_step_k{{[0-9]+}}: conv_transpose2d
// CHECK: = kiln::halide::conv_transpose2d(in0, in1, {.channels = 6, .height = 4, .width = 3, .out_channels = 4, .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1}, get_target());
// CHECK: kiln::halide::schedule_conv2d(

// The weight gradient with the SGD update as its epilogue.
// CHECK-LABEL: // kiln_conv_train_step_k{{[0-9]+}}: conv2d_weight_grad (models/conv.cpp:20) mul
// CHECK: Expr sym_batch = in0.dim(3).extent();
// CHECK: = kiln::halide::conv2d_weight_grad(in0, in1, {.channels = 1, .height = 8, .width = 6, .out_channels = 4, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1}, sym_batch, get_target());
