#include "variants.h"

#include <cinttypes>
#include <cstdio>

namespace kiln::halide::aot {

using namespace Halide;
using namespace Halide::Internal;

namespace {

// halide_can_use_target_features takes the features as bits of 64-bit
// words, feature f at bit f % 64 of word f / 64.
constexpr int kFeatureWords = (Target::FeatureEnd + 63) / 64;

std::vector<uint64_t> feature_words(const Target &target) {
  std::vector<uint64_t> words(kFeatureWords, 0);
  for (int f = 0; f < Target::FeatureEnd; ++f)
    if (f != Target::NoRuntime && target.has_feature(Target::Feature(f)))
      words[f / 64] |= uint64_t(1) << (f % 64);
  return words;
}

} // namespace

std::string variant_name(const std::string &function, size_t index) {
  return function + "__v" + std::to_string(index);
}

Module dispatcher_module(const std::string &function,
                         const std::vector<LoweredArgument> &args,
                         const std::vector<Target> &targets) {
  std::vector<Expr> choices;
  for (size_t i = 0; i < targets.size(); ++i) {
    Expr usable = 1;
    if (i + 1 < targets.size()) {
      std::vector<Expr> words;
      for (uint64_t w : feature_words(targets[i]))
        words.push_back(UIntImm::make(UInt(64), w));
      usable = Call::make(
          Int(32), "halide_can_use_target_features",
          {kFeatureWords, Call::make(type_of<uint64_t *>(), Call::make_struct,
                                     words, Call::Intrinsic)},
          Call::Extern);
    }
    choices.push_back(usable != 0);
    choices.push_back(variant_name(function, i));
  }
  // The variant's own status is the dispatcher's: an assertion that
  // returns it (so the dispatcher keeps asserts even when variants do not).
  const Expr called = Call::make(Int(32), Call::call_cached_indirect_function,
                                 choices, Call::Intrinsic);
  const std::string result = unique_name(function + "_result");
  const Expr status = Variable::make(Int(32), result);
  const Stmt body =
      LetStmt::make(result, called, AssertStmt::make(status == 0, status));
  const Target base = targets.back()
                          .with_feature(Target::NoRuntime)
                          .with_feature(Target::NoBoundsQuery)
                          .without_feature(Target::NoAsserts);
  Module module(function, base);
  module.append(
      LoweredFunc(function, args, body, LinkageType::ExternalPlusMetadata));
  return module;
}

std::string variant_table(const std::string &name,
                          const std::vector<Target> &targets) {
  std::string text =
      "\n// The targets these kernels were compiled for, in the order the\n"
      "// dispatchers try them, with their halide_can_use_target_features "
      "words.\n#define KILN_KERNEL_VARIANTS_" +
      name + " \\\n";
  for (size_t i = 0; i < targets.size(); ++i) {
    Target t = targets[i].without_feature(Target::NoRuntime);
    text += "  {\"" + t.to_string() + "\", {";
    const std::vector<uint64_t> words = feature_words(t);
    for (size_t w = 0; w < words.size(); ++w) {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%" PRIx64 "ull", words[w]);
      text += (w ? ", " : "") + std::string(hex);
    }
    text += i + 1 < targets.size() ? "}}, \\\n" : "}}\n";
  }
  return text;
}

} // namespace kiln::halide::aot
