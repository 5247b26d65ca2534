// libFuzzer target: rt::read_idx, the reader of Fashion-MNIST's IDX files,
// plain or gzip'd. Any file must either read or throw rt::Error. What reads
// must hold exactly the bytes its dimensions announce.
#include "input_file.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/idx.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &path = kiln::fuzz::write_input(data, size);
  try {
    const kiln::rt::IdxArray array = kiln::rt::read_idx(path);
    uint64_t bytes = 1;
    for (int64_t d : array.dims)
      bytes *= static_cast<uint64_t>(d);
    if (array.dims.empty() || bytes != array.data.size())
      std::abort();
  } catch (const kiln::rt::Error &) {
  }
  return 0;
}
