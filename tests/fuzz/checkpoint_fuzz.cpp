// libFuzzer target: rt::load_checkpoint into a live session, what
// `--resume` and `--checkpoint` do with a user's file: the model name, the
// names and shapes of every tensor, the TrainState metadata and the
// finiteness of the values are checked before anything is copied. Either
// the load succeeds with a consistent state, or it throws rt::Error and
// leaves the session's parameters as they were.
#include "input_file.h"

#include "fake_model.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace {

namespace rt = kiln::rt;

// Every tensor's bytes (f32 and i32 are both 4 bytes a value).
std::vector<std::vector<unsigned char>> snapshot(const rt::Session &session) {
  std::vector<std::vector<unsigned char>> bytes;
  for (size_t i = 0; i < session.params().size(); ++i) {
    const rt::Tensor &t = session.params().at(i);
    const auto *p = static_cast<const unsigned char *>(t.raw());
    bytes.emplace_back(p, p + 4 * t.numel());
  }
  return bytes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &path = kiln::fuzz::write_input(data, size);
  rt::Session session(kiln_model_fake(), /*seed=*/1);
  const auto before = snapshot(session);
  try {
    const rt::TrainState state = rt::load_checkpoint(path, session);
    if (state.step < 0 || state.epoch < 0 || state.position < 0)
      std::abort();
    for (size_t i = 0; i < session.params().size(); ++i)
      for (float v : session.params().at(i).values())
        if (!std::isfinite(v))
          std::abort();
  } catch (const rt::Error &) {
    if (snapshot(session) != before)
      std::abort(); // a refused file must not have changed anything
  }
  return 0;
}
