// A kernels.cpp whose convolution has a 4x4 kernel over a 3x3 input with
// no padding: there is no output pixel, so the weight gradient (forced to
// Winograd's algorithm, which checks it) must be refused with a message,
// not computed over one pixel (C++'s division rounds (3 - 4) / 2 + 1 to
// 1). See CMakeLists.txt, case empty_conv.
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;

class EmptyConv : public Generator<EmptyConv> {
public:
  Input<Buffer<float>> in0{"in0", 4};
  Input<Buffer<float>> in1{"in1", 4};
  Output<Buffer<float>> out0{"out0", 4};
  Var d0{"d0"}, d1{"d1"}, d2{"d2"}, d3{"d3"};
  void generate() {
    kh::Conv2d conv =
        kh::conv2d_weight_grad(in0, in1,
                               {.channels = 16,
                                .height = 3,
                                .width = 3,
                                .out_channels = 16,
                                .kernel_h = 4,
                                .kernel_w = 4,
                                .stride_h = 2,
                                .stride_w = 2,
                                .algorithm = kh::ConvAlgorithm::Winograd},
                               Expr(2), get_target());
    out0(d0, d1, d2, d3) = conv.result(d0, d1, d2, d3);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(EmptyConv, kiln_empty_conv)
