// A kernels.cpp that forces Winograd's algorithm on a layer it cannot do (a
// 5x5 stride-1 convolution): conv2d() must refuse it with a message, and
// kiln-halide-aot report it (see CMakeLists.txt, case winograd_shape).
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;

class ForcedWinograd : public Generator<ForcedWinograd> {
public:
  Input<Buffer<float>> in0{"in0", 4};
  Input<Buffer<float>> in1{"in1", 4};
  Output<Buffer<float>> out0{"out0", 4};
  Var d0{"d0"}, d1{"d1"}, d2{"d2"}, d3{"d3"};
  void generate() {
    kh::Conv2d conv = kh::conv2d(in0, in1,
                                 {.channels = 16,
                                  .height = 8,
                                  .width = 8,
                                  .out_channels = 16,
                                  .kernel_h = 5,
                                  .kernel_w = 5,
                                  .pad_h = 2,
                                  .pad_w = 2,
                                  .algorithm = kh::ConvAlgorithm::Winograd});
    out0(d0, d1, d2, d3) = conv.result(d0, d1, d2, d3);
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(ForcedWinograd, kiln_forced_winograd)
