// How kiln generate finds a language model's prefill and decode step and
// its window, from the contract alone (tools/kiln/text_generation.h): a
// prefill of symbolic length needs the window stated by its position, a
// static one is the window.
#include "commands.h"
#include "contract.h"
#include "text_generation.h"

#include "kiln/runtime/model.h"

#include <gtest/gtest.h>

namespace {

using kiln::rt::DataKind;
using kiln::rt::DimDesc;
using kiln::rt::DType;
using kiln::rt::EntryDesc;
using kiln::rt::ModelDesc;
using kiln::rt::TensorDesc;

// An infer entry point from text [1, length] (symbolic when `symbol` is
// not empty) and a position with window `window` to logits [1, length, V].
EntryDesc entry(std::string_view name, int64_t length, std::string_view symbol,
                double window, int64_t vocab = 256) {
  const DimDesc t{symbol.empty() ? length : 0, symbol};
  EntryDesc e{name, "infer"};
  e.inputs = {
      TensorDesc{"x", {{1, ""}, t}, {DataKind::text}, DType::i32},
      TensorDesc{"at", {}, {DataKind::position, 0, window}, DType::i32}};
  e.outputs = {
      TensorDesc{"logits", {{1, ""}, t, {vocab, ""}}, {DataKind::next_logits}}};
  return e;
}

TEST(TextEntries, SymbolicPrefillTakesTheStatedWindow) {
  ModelDesc m{"lm"};
  m.entries = {entry("prefill", 0, "seq", 96), entry("decode", 1, "", 96)};
  const kiln::cli::TextEntries found = kiln::cli::text_entries(m, "generate");
  EXPECT_EQ(found.prefill, &m.entries[0]);
  EXPECT_EQ(found.decode, &m.entries[1]);
  EXPECT_EQ(found.window, 96);
  EXPECT_EQ(found.vocab, 256);
  EXPECT_FALSE(found.padded_prefill);
}

TEST(TextEntries, StaticPrefillIsTheWindow) {
  ModelDesc m{"lm"};
  m.entries = {entry("decode", 1, "", 0), entry("prefill", 64, "", 0)};
  const kiln::cli::TextEntries found = kiln::cli::text_entries(m, "generate");
  EXPECT_EQ(found.prefill, &m.entries[1]);
  EXPECT_EQ(found.window, 64);
  EXPECT_TRUE(found.padded_prefill);
}

TEST(TextEntries, RefusesWhatCannotBeKnown) {
  auto message = [](std::vector<EntryDesc> entries) {
    ModelDesc m{"lm"};
    m.entries = std::move(entries);
    try {
      kiln::cli::text_entries(m, "generate");
    } catch (const kiln::cli::UsageError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Any length and no window: how many bytes to keep is unknown.
  EXPECT_NE(message({entry("prefill", 0, "seq", 0), entry("decode", 1, "", 0)})
                .find("the window must be stated: data::position(W)"),
            std::string::npos);
  // A padded prefill that is not the stated window.
  EXPECT_NE(
      message({entry("prefill", 64, "", 128), entry("decode", 1, "", 128)})
          .find("takes text of 64 bytes, but the window is 128"),
      std::string::npos);
  EXPECT_NE(
      message({entry("prefill", 0, "seq", 64), entry("decode", 1, "", 32)})
          .find("state different windows (64 and 32 positions"),
      std::string::npos);
  EXPECT_NE(message({entry("prefill", 0, "seq", 1), entry("decode", 1, "", 1)})
                .find("window of 1 position(s) leaves no room"),
            std::string::npos);
  // Different vocabularies.
  EXPECT_NE(
      message({entry("prefill", 0, "seq", 8), entry("decode", 1, "", 8, 100)})
          .find("disagree on the vocabulary (256 and 100 logits)"),
      std::string::npos);
  EXPECT_NE(message({entry("decode", 1, "", 8)}).find("no prefill"),
            std::string::npos);
}

// An encoder-decoder's text is the target's room: a symbolic length would
// leave kiln generate no buffer to write the target into.
TEST(TextEntries, EncoderDecoderNeedsAStaticTarget) {
  const DimDesc seq{0, "seq"};
  EntryDesc e{"logits", "infer"};
  e.inputs = {
      TensorDesc{
          "src", {{0, "batch"}, {16, ""}}, {DataKind::source}, DType::i32},
      TensorDesc{"x", {{0, "batch"}, seq}, {DataKind::text}, DType::i32}};
  e.outputs = {TensorDesc{
      "logits", {{0, "batch"}, seq, {256, ""}}, {DataKind::next_logits}}};
  ModelDesc m{"s2s"};
  m.entries = {e};
  try {
    kiln::cli::find_transduce_entry(m);
    ADD_FAILURE() << "accepted";
  } catch (const kiln::cli::UsageError &error) {
    EXPECT_NE(std::string(error.what()).find("needs a static length"),
              std::string::npos)
        << error.what();
  }
}

// kiln info and the CLI's messages name the window a position lies in.
TEST(TextEntries, ThePositionSaysItsWindow) {
  EXPECT_EQ(kiln::cli::data_string({DataKind::position, 0, 128}),
            "position in a window of 128");
  EXPECT_EQ(kiln::cli::data_string({DataKind::position}), "position");
}

} // namespace
