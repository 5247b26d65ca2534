// The canonical VAE (models/vae.cpp, MODELS.md), built in-process: its
// parameters, entry points, optimizer and random streams.
#include <gtest/gtest.h>

#include <regex>

#include <fmt/format.h>
#include <kiln/dsl.h>

// The model source itself (it also registers "vae" in this test program,
// which is harmless).
#include "models/vae.cpp"

namespace {

std::string vae_mlir() {
  ModuleBuilder mb("vae");
  kiln::dsl::detail::define_model<Vae, KilnModelDef_Vae>();
  return mb.mlir();
}

// The line of `text` that starts with `prefix`.
std::string line_of(const std::string &text, const std::string &prefix) {
  size_t begin = text.find(prefix);
  if (begin == std::string::npos)
    return "";
  return text.substr(begin, text.find('\n', begin) - begin);
}

TEST(Vae, ParametersMatchModelsMd) {
  std::string text = vae_mlir();
  std::regex param(
      R"re("kiln\.parameter"\(\) \{init = #kiln<init uniform>, init_args = array<f64: ([^,]+), ([^>]+)>, sym_name = "([^"]+)", type = tensor<([0-9x]+)xf32>\})re");
  std::vector<std::string> names;
  long long total = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), param), end; it != end;
       ++it) {
    names.push_back((*it)[3]);
    long long count = 1;
    std::string dims = (*it)[4];
    for (size_t at = 0; at <= dims.size();) {
      size_t x = dims.find('x', at);
      if (x == std::string::npos)
        x = dims.size();
      count *= std::stoll(dims.substr(at, x - at));
      at = x + 1;
    }
    total += count;
  }
  EXPECT_EQ(total, 1091920);
  std::vector<std::string> expected;
  for (const char *layer : {"encoder.0", "encoder.2", "mu", "logvar",
                            "decoder.0", "decoder.2", "decoder.4"}) {
    expected.push_back(fmt::format("{}.weight", layer));
    expected.push_back(fmt::format("{}.bias", layer));
  }
  EXPECT_EQ(names, expected);
  // PyTorch's nn.Linear default: uniform +-1/sqrt(in_features).
  EXPECT_NE(
      text.find(
          R"(init = #kiln<init uniform>, init_args = array<f64: -3.5714285714285712e-02, 3.5714285714285712e-02>, sym_name = "encoder.0.weight", type = tensor<512x784xf32>)"),
      std::string::npos);
}

TEST(Vae, TrainStep) {
  std::string text = vae_mlir();
  EXPECT_EQ(
      line_of(text, "  func.func @train_step("),
      R"(  func.func @train_step(%arg0: tensor<?x784xf32> {kiln.name = "x", kiln.symbols = ["batch", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<f32> {kiln.name = "loss"}, tensor<f32> {kiln.name = "recon"}, tensor<f32> {kiln.name = "kl"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 128 : i64, kiln.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adam", lr = 1.000000e-03 : f64, weight_decay = 0.000000e+00 : f64}} {)");
  EXPECT_EQ(
      line_of(text, "  func.func @loss("),
      R"(  func.func @loss(%arg0: tensor<?x784xf32> {kiln.name = "x", kiln.symbols = ["batch", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<f32> {kiln.name = "loss", kiln.data = {kind = "loss"}}, tensor<f32> {kiln.name = "recon", kiln.data = {kind = "loss"}}, tensor<f32> {kiln.name = "kl", kiln.data = {kind = "loss"}}) attributes {kiln.entry = #kiln<entry infer>} {)");
}

TEST(Vae, EntryPointSignatures) {
  std::string text = vae_mlir();
  auto sig = [&](const char *name) {
    std::string line = line_of(text, fmt::format("  func.func @{}(", name));
    return line.substr(0, line.find(" attributes"));
  };
  EXPECT_EQ(
      sig("encode"),
      R"(  func.func @encode(%arg0: tensor<?x784xf32> {kiln.name = "x", kiln.symbols = ["batch", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<?x32xf32> {kiln.name = "mu", kiln.data = {kind = "latent"}}, tensor<?x32xf32> {kiln.name = "logvar", kiln.data = {kind = "latent"}}))");
  EXPECT_EQ(
      sig("decode"),
      R"(  func.func @decode(%arg0: tensor<?x32xf32> {kiln.name = "z", kiln.symbols = ["batch", ""]}) -> (tensor<?x784xf32> {kiln.name = "logits"}))");
  EXPECT_EQ(
      sig("decode_probs"),
      R"(  func.func @decode_probs(%arg0: tensor<?x32xf32> {kiln.name = "z", kiln.symbols = ["batch", ""], kiln.data = {kind = "noise"}}) -> (tensor<?x784xf32> {kiln.name = "probs", kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}))");
  EXPECT_EQ(
      sig("sample"),
      R"(  func.func @sample(%arg0: tensor<?x32xf32> {kiln.name = "z", kiln.symbols = ["batch", ""]}) -> (tensor<?x784xf32> {kiln.name = "probs"}))");
  EXPECT_EQ(
      sig("reconstruct"),
      R"(  func.func @reconstruct(%arg0: tensor<?x784xf32> {kiln.name = "x", kiln.symbols = ["batch", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<?x784xf32> {kiln.name = "probs", kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}))");
  EXPECT_EQ(
      sig("score"),
      R"(  func.func @score(%arg0: tensor<?x784xf32> {kiln.name = "x", kiln.symbols = ["batch", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<?xf32> {kiln.name = "score", kiln.data = {kind = "score"}}))");
}

// Sampling only where the loss needs it: one stream in train_step, one in
// loss; score and reconstruct use z = mu.
TEST(Vae, RandomStreams) {
  std::string text = vae_mlir();
  auto function = [&](const char *name) {
    size_t begin = text.find(fmt::format("  func.func @{}(", name));
    return text.substr(begin, text.find("\n  } loc", begin) - begin);
  };
  auto count = [](const std::string &s, const std::string &what) {
    int n = 0;
    for (size_t at = s.find(what); at != std::string::npos;
         at = s.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(text, "kiln.random_normal"), 2);
  EXPECT_EQ(count(function("train_step"), "{stream = 0 : i64}"), 1);
  EXPECT_EQ(count(function("loss"), "{stream = 1 : i64}"), 1);
  for (const char *name :
       {"encode", "decode", "decode_probs", "sample", "reconstruct", "score"})
    EXPECT_EQ(count(function(name), "kiln.random_normal"), 0) << name;
  // The losses are composites of existing ops.
  EXPECT_EQ(count(function("train_step"), "kiln.softplus"), 1);
  EXPECT_EQ(count(function("score"), "kiln.softplus"), 1);
  EXPECT_EQ(count(function("train_step"), "kiln.exp"), 2); // std, KL
  // Locations point at the model source.
  EXPECT_NE(text.find("loc(\"models/vae.cpp\":"), std::string::npos);
}

} // namespace
