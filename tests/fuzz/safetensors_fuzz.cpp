// libFuzzer target: every reader of safetensors files a user hands to kiln.
// The file goes through the header reader, the full reader, the checkpoint
// header (model, TrainState) and the CLI's readers of image and latent
// files. Each must either succeed or throw rt::Error (UsageError for
// "no tensor chosen"); what they return must agree with the header.
#include "input_file.h"

#include "commands.h"
#include "workflow.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/safetensors.h"

#include <cmath>
#include <cstdlib>
#include <functional>

namespace {

namespace rt = kiln::rt;

void expect(bool ok) {
  if (!ok)
    std::abort();
}

int64_t numel(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

// Runs one reader; the refusals a user would see are not findings.
void attempt(const std::function<void()> &read) {
  try {
    read();
  } catch (const rt::Error &) {
  } catch (const kiln::cli::UsageError &) {
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &path = kiln::fuzz::write_input(data, size);
  attempt([&] {
    const rt::SafetensorsHeader header = rt::read_safetensors_header(path);
    const rt::SafetensorsFile file = rt::read_safetensors(path);
    expect(file.tensors.size() == header.tensors.size());
    expect(file.metadata == header.metadata);
    for (size_t i = 0; i < file.tensors.size(); ++i) {
      const rt::Tensor &t = file.tensors[i].tensor;
      expect(file.tensors[i].name == header.tensors[i].name);
      expect(t.shape() == header.tensors[i].shape);
      expect(t.dtype() == header.tensors[i].dtype);
      expect(t.numel() == numel(t.shape()));
    }
  });
  attempt([&] { rt::read_checkpoint_info(path); });
  attempt([&] {
    const rt::Tensor images =
        kiln::cli::read_images_file(path.string(), "", 784);
    // [0, 1] within the reader's allowance for float rounding.
    for (float v : images.values())
      expect(v >= -1e-6f && v <= 1 + 1e-6f);
  });
  attempt([&] {
    const rt::Tensor latents = kiln::cli::read_latents_file(path.string(), 32);
    for (float v : latents.values())
      expect(std::isfinite(v));
  });
  return 0;
}
