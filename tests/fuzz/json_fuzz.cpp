// libFuzzer target: rt::parse_json, which reads safetensors headers and
// checkpoint metadata from outside files. Any input must either parse or
// throw rt::Error; a crash, a sanitizer report or another exception is a
// finding. What parses must print (dump) to text that parses back to the
// same value.
#include "kiln/runtime/error.h"
#include "kiln/runtime/json.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    const std::string dumped = kiln::rt::json_text(kiln::rt::parse_json(text));
    // Deeper than the default limit cannot have parsed, so the printed
    // text must parse again, to the same text.
    if (kiln::rt::json_text(kiln::rt::parse_json(dumped)) != dumped)
      std::abort();
  } catch (const kiln::rt::Error &) {
  }
  return 0;
}
