// The canonical DCGAN (models/gan.cpp, MODELS.md), built in-process: its
// parameters and state, the optimizer's `params` per step, and where each
// entry point updates the BatchNorm running statistics.
#include "dsl_test_support.h"

#include <gtest/gtest.h>

#include <regex>

#include <fmt/format.h>
#include <kiln/dsl.h>

// The model source itself (it also registers "gan" in this test program).
#include "models/gan.cpp"

namespace {

using kiln::dsl::test::count_of;

std::string gan_mlir() {
  ModuleBuilder mb("gan");
  kiln::dsl::detail::define_model<Gan, KilnModelDef_Gan>();
  return mb.mlir();
}

// The text of one func.func, from its header to its closing brace.
std::string function(const std::string &text, const std::string &name) {
  size_t begin = text.find("  func.func @" + name + "(");
  if (begin == std::string::npos)
    return "";
  return text.substr(begin, text.find("\n  }", begin) - begin);
}

struct Declared {
  std::vector<std::string> names;
  long long total = 0;
};

// Parameters (role = #kiln<role parameter>, the default) and state, in order.
std::pair<Declared, Declared> declarations(const std::string &text) {
  std::regex param(
      R"re("kiln\.parameter"\(\) \{init = #kiln<init [a-z]+>, init_args = array<f64[^>]*>, (role = #kiln<role state>, )?sym_name = "([^"]+)", type = tensor<([0-9x]+)xf32>\})re");
  Declared params, state;
  for (std::sregex_iterator it(text.begin(), text.end(), param), end; it != end;
       ++it) {
    Declared &d = (*it)[1].matched ? state : params;
    d.names.push_back((*it)[2]);
    long long count = 1;
    std::string dims = (*it)[3];
    for (size_t at = 0; at <= dims.size();) {
      size_t x = dims.find('x', at);
      if (x == std::string::npos)
        x = dims.size();
      count *= std::stoll(dims.substr(at, x - at));
      at = x + 1;
    }
    d.total += count;
  }
  return {params, state};
}

TEST(Gan, ParametersMatchModelsMd) {
  std::string text = gan_mlir();
  auto [params, state] = declarations(text);
  EXPECT_EQ(params.total, 691330);
  std::vector<std::string> expected;
  for (const char *layer :
       {"generator.0", "generator.1", "generator.4", "generator.5",
        "generator.7", "discriminator.0", "discriminator.2", "discriminator.3",
        "discriminator.6"}) {
    expected.push_back(fmt::format("{}.weight", layer));
    expected.push_back(fmt::format("{}.bias", layer));
  }
  EXPECT_EQ(params.names, expected);
  EXPECT_EQ(
      state.names,
      (std::vector<std::string>{
          "generator.1.running_mean", "generator.1.running_var",
          "generator.5.running_mean", "generator.5.running_var",
          "discriminator.3.running_mean", "discriminator.3.running_var"}));
  EXPECT_EQ(state.total, 2 * (6272 + 64 + 128));

  // G 552,513 + D 138,817.
  std::regex shapes(
      R"re(sym_name = "(generator|discriminator)\.[^"]+", type = tensor<([0-9x]+)xf32>\} : \(\) -> \(\) )re");
  long long g_total = 0, d_total = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), shapes), end;
       it != end; ++it) {
    if (it->str().find("running_") != std::string::npos)
      continue;
    long long count = 1;
    std::string dims = (*it)[2];
    for (size_t at = 0; at <= dims.size();) {
      size_t x = dims.find('x', at);
      if (x == std::string::npos)
        x = dims.size();
      count *= std::stoll(dims.substr(at, x - at));
      at = x + 1;
    }
    ((*it)[1] == "generator" ? g_total : d_total) += count;
  }
  EXPECT_EQ(g_total, 552513);
  EXPECT_EQ(d_total, 138817);
}

TEST(Gan, InitialisersArePyTorchDefaults) {
  std::string text = gan_mlir();
  // Conv2d(64, 128, 4): 1/sqrt(64*16); ConvTranspose2d(128, 64, 4):
  // 1/sqrt(64*16) (fan_in = weight.size(1) * K * K); ConvTranspose2d(64,
  // 1, 4): 1/sqrt(16); BatchNorm: ones, zeros; running stats zeros, ones.
  for (const char *name : {"discriminator.2.weight", "generator.4.weight"})
    EXPECT_NE(text.find(fmt::format(
                  R"(array<f64: -3.125000e-02, 3.125000e-02>, sym_name = "{}")",
                  name)),
              std::string::npos)
        << name;
  EXPECT_NE(
      text.find(
          R"(array<f64: -2.500000e-01, 2.500000e-01>, sym_name = "generator.7.weight")"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(init = #kiln<init ones>, init_args = array<f64>, sym_name = "discriminator.3.weight")"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(init = #kiln<init ones>, init_args = array<f64>, role = #kiln<role state>, sym_name = "discriminator.3.running_var")"),
      std::string::npos);
}

TEST(Gan, DiscriminatorStep) {
  std::string f = function(gan_mlir(), "d_step");
  ASSERT_FALSE(f.empty());
  EXPECT_NE(
      f.find(
          R"(func.func @d_step(%arg0: tensor<?x1x28x28xf32> {kiln.name = "real", kiln.symbols = ["batch", "", "", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = -1.000000e+00 : f64}}, %arg1: tensor<?x64xf32> {kiln.name = "z", kiln.symbols = ["batch", ""], kiln.data = {kind = "noise"}}) -> (tensor<f32> {kiln.name = "d_loss"}, tensor<f32> {kiln.name = "d_real"}, tensor<f32> {kiln.name = "d_fake"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 64 : i64, kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "BatchNorm1d<6272> 'generator.1' in training mode (models/gan.cpp:58) needs more than one value per channel"}], kiln.optimizer = {beta1 = 5.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adam", lr = 2.000000e-04 : f64, params = ["discriminator."], weight_decay = 0.000000e+00 : f64}} {)"),
      std::string::npos)
      << f;
  // G's running statistics once, D's twice (real, fake) but assigned once:
  // the second update reads the first's value, not a second param_ref.
  EXPECT_EQ(count_of(f, "kiln.param_assign"), 6u) << f;
  for (const char *layer : {"generator.1", "generator.5", "discriminator.3"})
    for (const char *stat : {"running_mean", "running_var"}) {
      std::string name = fmt::format("@\"{}.{}\"", layer, stat);
      EXPECT_EQ(count_of(f, "{name = " + name + "} : (tensor<"), 1u) << name;
      EXPECT_EQ(count_of(f, "param_ref\"() {name = " + name + "}"), 1u) << name;
    }
  // Four batch-norm passes with a symbolic batch: four kiln.dim_size.
  EXPECT_EQ(count_of(f, "kiln.dim_size"), 4u);
  EXPECT_EQ(count_of(f, "kiln.conv_transpose2d"), 2u);
  EXPECT_EQ(count_of(f, "kiln.conv2d"), 4u);
}

TEST(Gan, GeneratorStep) {
  std::string f = function(gan_mlir(), "g_step");
  ASSERT_FALSE(f.empty());
  EXPECT_NE(f.find(R"(params = ["generator."])"), std::string::npos) << f;
  EXPECT_NE(f.find(R"(-> (tensor<f32> {kiln.name = "g_loss"}))"),
            std::string::npos);
  // G in train mode without updating its statistics; D's updated once.
  EXPECT_EQ(count_of(f, "kiln.param_assign"), 2u) << f;
  EXPECT_EQ(count_of(f, "running"), 4u) << f; // D's two refs and assigns
  EXPECT_EQ(count_of(f, "@\"discriminator.3.running_mean\""), 2u);
  EXPECT_EQ(count_of(f, "kiln.dim_size"), 1u);
}

TEST(Gan, InferenceUsesRunningStatistics) {
  std::string text = gan_mlir();
  for (const char *name : {"generate", "discriminate"}) {
    std::string f = function(text, name);
    ASSERT_FALSE(f.empty()) << name;
    EXPECT_EQ(count_of(f, "kiln.param_assign"), 0u) << name;
    EXPECT_EQ(count_of(f, "kiln.dim_size"), 0u) << name;
    EXPECT_EQ(count_of(f, "keepdim = true"), 0u) << name; // no batch stats
    EXPECT_NE(f.find("running_mean"), std::string::npos) << name;
  }
  EXPECT_NE(
      function(text, "generate")
          .find(
              R"(-> (tensor<?x1x28x28xf32> {kiln.name = "images", kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = -1.000000e+00 : f64}}) attributes {kiln.entry = #kiln<entry infer>})"),
      std::string::npos);
  EXPECT_NE(
      function(text, "discriminate")
          .find(
              R"(-> (tensor<?x1xf32> {kiln.name = "logits"}) attributes {kiln.entry = #kiln<entry infer>})"),
      std::string::npos);
}

} // namespace
