// Declaring a model and its entry points.
//
//   struct Mlp : Model {
//     Linear<32, 256> l1{"decoder.0"};
//     Tensor<B, 256> forward(Tensor<B, 32> z) { return relu(l1(z)); }
//   };
//   KILN_MODEL(Mlp, "mlp") { infer("forward", &Mlp::forward); }
//
// Each entry point becomes one func.func in the written module. The model
// object is constructed by the generator (declaring its parameters), then the
// KILN_MODEL body runs and each infer()/train() call traces one entry point.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "kiln/dsl/entry.h"

namespace kiln::dsl {

// Base of user models. Empty today; a stable place for model-wide options.
struct Model {};

namespace detail {
class Builder;
}

// Builds one module. While it exists it is the target of parameter
// declarations and ops (one at a time). Generators use it through
// KILN_MODEL; tests can use it directly with lambdas:
//   ModuleBuilder mb("tiny");
//   Linear<3, 2> l{"l"};
//   mb.infer("f", [&](Tensor<batch, 3> x) { return relu(l(x)); });
//   std::string text = mb.mlir();
class ModuleBuilder {
public:
  explicit ModuleBuilder(
      std::string_view model_name,
      std::source_location loc = std::source_location::current());
  ~ModuleBuilder();
  ModuleBuilder(const ModuleBuilder &) = delete;
  ModuleBuilder &operator=(const ModuleBuilder &) = delete;

  template <class F>
  EntryRef infer(std::string_view name, F &&f,
                 std::source_location loc = std::source_location::current()) {
    using Fn = std::remove_cvref_t<F>;
    return detail::CallSignature<decltype(&Fn::operator())>::run(
        name, "infer", nullptr, f, loc);
  }

  // A train entry point: f returns the loss (see ModelDef::train).
  template <class F, class Opt>
  EntryRef train(std::string_view name, F &&f, const Opt &optimizer,
                 std::source_location loc = std::source_location::current()) {
    using Sig =
        detail::CallSignature<decltype(&std::remove_cvref_t<F>::operator())>;
    detail::check_train_result<typename Sig::result>();
    detail::check_optimizer<Opt>();
    if constexpr (detail::is_optimizer_v<Opt>) {
      const detail::OptimizerSpec spec = detail::optimizer_spec(optimizer);
      return Sig::run(name, "train", &spec, f, loc);
    } else {
      return EntryRef(-1);
    }
  }
  template <class F>
  EntryRef train(std::string_view, F &&,
                 std::source_location = std::source_location::current()) {
    static_assert(detail::always_false_v<F>,
                  "train: give the optimizer, e.g. train(\"train_step\", "
                  "loss_fn, Adam{.lr = 1e-3}) (Sgd, Adam or AdamW)");
    return EntryRef(-1);
  }

  // An entry point running train entry points in order (see
  // ModelDef::sequence).
  void sequence(std::string_view name,
                std::initializer_list<std::string_view> entries,
                std::source_location loc = std::source_location::current()) {
    detail::add_sequence(name, entries.begin(), int(entries.size()), loc);
  }

  // The MLIR text of the module (docs/ir.md).
  std::string mlir() const;

private:
  detail::Builder *builder_;
};

// Base of the struct that KILN_MODEL defines: gives its body infer()/train().
template <class M> class ModelDef {
public:
  void bind(M &model) { model_ = &model; }

protected:
  template <class R, class... A>
  EntryRef infer(std::string_view name, R (M::*fn)(A...),
                 std::source_location loc = std::source_location::current()) {
    return detail::run_entry<R, A...>(
        name, "infer", nullptr, [&](A... a) { return (model_->*fn)(a...); },
        loc);
  }
  template <class R, class... A>
  EntryRef infer(std::string_view name, R (M::*fn)(A...) const,
                 std::source_location loc = std::source_location::current()) {
    return detail::run_entry<R, A...>(
        name, "infer", nullptr, [&](A... a) { return (model_->*fn)(a...); },
        loc);
  }

  // A training entry point: fn returns the loss, a Scalar, or a std::tuple
  // of Scalars (the loss, then terms to log); `optimizer` is Sgd{...},
  // Adam{...} or AdamW{...}. The compiler derives the backward pass and
  // appends the optimizer's update (DESIGN.md decisions 4 and 5).
  template <class R, class... A, class Opt>
  EntryRef train(std::string_view name, R (M::*fn)(A...), const Opt &optimizer,
                 std::source_location loc = std::source_location::current()) {
    return train_impl<R, A...>(
        name, [&](A... a) { return (model_->*fn)(a...); }, optimizer, loc);
  }
  template <class R, class... A, class Opt>
  EntryRef train(std::string_view name, R (M::*fn)(A...) const,
                 const Opt &optimizer,
                 std::source_location loc = std::source_location::current()) {
    return train_impl<R, A...>(
        name, [&](A... a) { return (model_->*fn)(a...); }, optimizer, loc);
  }
  // Without an optimizer: a compile error that says what is missing.
  template <class R, class... A>
  EntryRef train(std::string_view, R (M::*)(A...),
                 std::source_location = std::source_location::current()) {
    static_assert(detail::always_false_v<R>,
                  "train: give the optimizer, e.g. train(\"train_step\", "
                  "&Model::loss, Adam{.lr = 1e-3}) (Sgd, Adam or AdamW)");
    return EntryRef(-1);
  }
  template <class R, class... A>
  EntryRef train(std::string_view, R (M::*)(A...) const,
                 std::source_location = std::source_location::current()) {
    static_assert(detail::always_false_v<R>,
                  "train: give the optimizer, e.g. train(\"train_step\", "
                  "&Model::loss, Adam{.lr = 1e-3}) (Sgd, Adam or AdamW)");
    return EntryRef(-1);
  }

  // An entry point that runs train entry points declared above one after
  // another in one call, each seeing the parameters the previous ones
  // updated: sequence("train_step", {"d_step", "g_step"}). Its inputs are
  // theirs, matched by name (an input of several is fed once), its outputs
  // all of theirs. The compiler shares what they compute alike, e.g. a
  // GAN's generator forward pass (docs/dsl.md).
  void sequence(std::string_view name,
                std::initializer_list<std::string_view> entries,
                std::source_location loc = std::source_location::current()) {
    detail::add_sequence(name, entries.begin(), int(entries.size()), loc);
  }

  M &model() { return *model_; }

private:
  template <class R, class... A, class Call, class Opt>
  EntryRef train_impl(std::string_view name, Call &&call, const Opt &optimizer,
                      std::source_location loc) {
    detail::check_train_result<R>();
    detail::check_optimizer<Opt>();
    if constexpr (detail::is_optimizer_v<Opt>) {
      const detail::OptimizerSpec spec = detail::optimizer_spec(optimizer);
      return detail::run_entry<R, A...>(name, "train", &spec, call, loc);
    } else {
      return EntryRef(-1);
    }
  }

  M *model_ = nullptr;
};

namespace detail {

using DefineFn = void (*)();

// Registers a model for the generator's main(); returns a dummy value so it
// can initialise a namespace-scope constant.
int register_model(const char *name, DefineFn define, Loc loc);

template <class M, class Def> void define_model() {
  M model;
  Def def;
  def.bind(model);
  def.define();
}

} // namespace detail
} // namespace kiln::dsl

// KILN_MODEL(Type, "name") { body }: declares the model `Type` under `name`;
// the body calls infer()/train() for each entry point. Type must be an
// unqualified name (it is pasted into identifiers).
#define KILN_MODEL(Type, name)                                                 \
  struct KilnModelDef_##Type : ::kiln::dsl::ModelDef<Type> {                   \
    void define();                                                             \
  };                                                                           \
  [[maybe_unused]] static const int kiln_model_registered_##Type =             \
      ::kiln::dsl::detail::register_model(                                     \
          name, &::kiln::dsl::detail::define_model<Type, KilnModelDef_##Type>, \
          std::source_location::current());                                    \
  void KilnModelDef_##Type::define()
