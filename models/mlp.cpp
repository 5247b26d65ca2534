// The decoder MLP of the VAE (MODELS.md): 32 -> 256 -> 512 -> 784 with ReLU
// in between and logits out. Parameter names match PyTorch's
// nn.Sequential(Linear, ReLU, Linear, ReLU, Linear) under "decoder".
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;

struct Mlp : Model {
  Linear<32, 256> dec1{"decoder.0"};
  Linear<256, 512> dec2{"decoder.2"};
  Linear<512, 784> dec3{"decoder.4"};

  Tensor<B, 784> forward(Tensor<B, 32> z) {
    return dec3(relu(dec2(relu(dec1(z)))));
  }
};

KILN_MODEL(Mlp, "mlp") {
  infer("forward", &Mlp::forward).inputs("z").outputs("logits");
}
