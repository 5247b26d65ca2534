// --conv-algorithm (kiln_add_model's CONV_ALGORITHM): auto leaves the
// choice to the Halide library (no .algorithm field), direct and winograd
// force one in every convolution's Conv2dParams; anything else is refused.
// RUN: kilnc %inputs/small_conv.mlir --emit=kernels | FileCheck %s --check-prefix=AUTO
// RUN: kilnc %inputs/small_conv.mlir --emit=kernels --conv-algorithm=direct | FileCheck %s --check-prefix=DIRECT
// RUN: kilnc %inputs/small_conv.mlir --emit=kernels --conv-algorithm=winograd | FileCheck %s --check-prefix=WINO
// RUN: not kilnc %inputs/small_conv.mlir --emit=kernels --conv-algorithm=fast 2>&1 | FileCheck %s --check-prefix=BAD

// AUTO-NOT: .algorithm =
// DIRECT: kiln::halide::conv2d(in0, in1, {{.*}}, .algorithm = kiln::halide::ConvAlgorithm::Direct}, get_target());
// WINO: kiln::halide::conv2d(in0, in1, {{.*}}, .algorithm = kiln::halide::ConvAlgorithm::Winograd}, get_target());
// BAD: kilnc: unknown --conv-algorithm=fast (expected auto, direct or winograd)
