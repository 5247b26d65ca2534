// libFuzzer target: rt::read_npy, the reader of NumPy's .npy files that
// --data takes. Any file must either read or throw rt::Error. What reads
// must hold exactly the bytes its shape and dtype announce, and every
// element must be readable.
#include "input_file.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/npy.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &path = kiln::fuzz::write_input(data, size);
  try {
    const kiln::rt::NpyArray array = kiln::rt::read_npy(path);
    const int64_t n = array.numel();
    if (static_cast<uint64_t>(n) * static_cast<uint64_t>(array.item_bytes) !=
        array.data.size())
      std::abort();
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
      sum += array.value(i);
    static volatile double sink;
    sink = sum;
  } catch (const kiln::rt::Error &) {
  }
  return 0;
}
