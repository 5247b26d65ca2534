// Turning a C++ function into an entry point: create one argument per Tensor
// parameter, call the function, record what it returns.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "kiln/dsl/data.h"
#include "kiln/dsl/optim.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

// Returned by infer()/train(): names the entry point's tensors, e.g.
//   infer("forward", &Mlp::forward).inputs("z").outputs("logits");
// Unnamed tensors are input0, input1, ... and output0, ...; a train entry's
// first result is "loss". For a train entry point, params("generator.")
// restricts the optimizer to the parameters whose names start with one of
// the given prefixes (kiln.optimizer's `params`, docs/ir.md). consumes(),
// produces() and batch() state what the tensors mean for the tools that
// drive the model (data.h).
class EntryRef {
public:
  explicit EntryRef(int index) : index_(index) {}
  template <class... S> EntryRef &inputs(const S &...names) {
    const std::string_view list[] = {std::string_view(names)..., {}};
    detail::set_names(index_, false, list, int(sizeof...(S)));
    return *this;
  }
  template <class... S> EntryRef &outputs(const S &...names) {
    const std::string_view list[] = {std::string_view(names)..., {}};
    detail::set_names(index_, true, list, int(sizeof...(S)));
    return *this;
  }
  // One Data per input, in order.
  template <class... D> EntryRef &consumes(const D &...data) {
    const Data list[] = {Data(data)..., Data{nullptr}};
    detail::set_data(index_, false, list, int(sizeof...(D)));
    return *this;
  }
  // One Data per output, in order (infer entry points).
  template <class... D> EntryRef &produces(const D &...data) {
    const Data list[] = {Data(data)..., Data{nullptr}};
    detail::set_data(index_, true, list, int(sizeof...(D)));
    return *this;
  }
  // The batch a tool trains with unless told otherwise (train entry
  // points).
  EntryRef &batch(int size) {
    detail::set_batch(index_, size);
    return *this;
  }
  template <class... S> EntryRef &params(const S &...prefixes) {
    const std::string_view list[] = {std::string_view(prefixes)..., {}};
    detail::set_params(index_, list, int(sizeof...(S)), detail::Loc{});
    return *this;
  }
  // Parameters whose names match one of these globs get no weight decay
  // (`*` any run of characters, `?` one): no_decay("*.bias", "*norm*").
  template <class... S> EntryRef &no_decay(const S &...globs) {
    const std::string_view list[] = {std::string_view(globs)..., {}};
    detail::set_no_decay(index_, list, int(sizeof...(S)), detail::Loc{});
    return *this;
  }

private:
  int index_;
};

namespace detail {

template <class T> T make_argument(int index) {
  return wrap<T>(argument(index, shape<T>(), is_ints_v<T>), Loc{});
}

// What an entry point may return: Tensors and Ints (integer results, e.g.
// token ids), alone or in a std::pair / std::tuple.
template <class T>
inline constexpr bool is_result_v = is_tensor_like_v<T> || is_ints_v<T>;

template <class T> struct Results {
  static_assert(is_result_v<T>,
                "an entry point must return a Tensor or Ints, or a "
                "std::pair / std::tuple of them");
  static constexpr int count = 1;
  static void collect(const T &t, int *out) { out[0] = Access::handle(t); }
};
template <class... T> struct Results<std::tuple<T...>> {
  static_assert((is_result_v<T> && ...),
                "an entry point's std::tuple result must hold only Tensors "
                "and Ints");
  static constexpr int count = sizeof...(T);
  static void collect(const std::tuple<T...> &t, int *out) {
    std::apply([&](const T &...x) { ((*out++ = Access::handle(x)), ...); }, t);
  }
};
template <class A, class B>
struct Results<std::pair<A, B>> : Results<std::tuple<A, B>> {
  static void collect(const std::pair<A, B> &t, int *out) {
    static_assert(is_result_v<A> && is_result_v<B>,
                  "an entry point's std::pair result must hold two Tensors "
                  "or Ints");
    out[0] = Access::handle(t.first);
    out[1] = Access::handle(t.second);
  }
};

// Ends the entry point if the user's function throws.
class EntryScope {
public:
  EntryScope(std::string_view name, const char *kind, int num_args,
             const OptimizerSpec *optimizer, Loc loc) {
    begin_entry(name, kind, num_args, optimizer, loc);
  }
  ~EntryScope() {
    if (!done_)
      abort_entry();
  }
  int finish(const int *results, int count) {
    int index = end_entry(results, count);
    done_ = true;
    return index;
  }

private:
  bool done_ = false;
};

// Calls `call(args...)` with fresh entry-point arguments of types Args...
template <class R, class... Args, class Call>
EntryRef run_entry(std::string_view name, const char *kind,
                   const OptimizerSpec *optimizer, Call &&call, Loc loc) {
  constexpr bool parameters_are_tensors =
      ((is_tensor_v<std::remove_cvref_t<Args>> ||
        is_ints_v<std::remove_cvref_t<Args>>)&&...);
  if constexpr (!parameters_are_tensors) {
    static_assert(parameters_are_tensors,
                  "entry point parameters must be Tensor<...> or Ints<...> "
                  "values");
    return EntryRef(-1);
  } else {
    EntryScope scope(name, kind, int(sizeof...(Args)), optimizer, loc);
    // Argument i is created by index, so argument evaluation order does not
    // matter.
    R result = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return call(make_argument<std::remove_cvref_t<Args>>(int(I))...);
    }
    (std::index_sequence_for<Args...>{});
    using Res = Results<std::remove_cvref_t<R>>;
    int handles[Res::count];
    Res::collect(result, handles);
    return EntryRef(scope.finish(handles, Res::count));
  }
}

// Signature of a lambda's call operator.
template <class F> struct CallSignature;
template <class C, class R, class... A> struct CallSignature<R (C::*)(A...)> {
  using result = R;
  template <class F>
  static EntryRef run(std::string_view name, const char *kind,
                      const OptimizerSpec *optimizer, F &f, Loc loc) {
    return run_entry<R, A...>(name, kind, optimizer, f, loc);
  }
};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...) const> : CallSignature<R (C::*)(A...)> {};

// True for Tensor<> and types derived from it.
std::true_type scalar_base(const Tensor<> *);
std::false_type scalar_base(...);
template <class T>
inline constexpr bool is_scalar_like_v =
    decltype(scalar_base(static_cast<T *>(nullptr)))::value;

// A train entry point returns the loss, a Scalar, optionally followed by
// more Scalars (loss terms to log): Scalar, std::pair or std::tuple.
template <class R> struct TrainResult {
  static constexpr bool loss_first = is_scalar_like_v<R>;
  static constexpr bool rest_scalar = true;
};
template <class T0, class... T> struct TrainResult<std::tuple<T0, T...>> {
  static constexpr bool loss_first = is_scalar_like_v<T0>;
  static constexpr bool rest_scalar = (is_scalar_like_v<T> && ...);
};
template <class A, class B>
struct TrainResult<std::pair<A, B>> : TrainResult<std::tuple<A, B>> {};

template <class R> constexpr void check_train_result() {
  using T = TrainResult<std::remove_cvref_t<R>>;
  static_assert(T::loss_first,
                "train: the loss function must return a Scalar (Tensor<>), or "
                "a std::tuple of Scalars with the loss first");
  static_assert(!T::loss_first || T::rest_scalar,
                "train: the values returned after the loss must be Scalars "
                "too (loss terms to log)");
}

template <class Opt> constexpr void check_optimizer() {
  static_assert(is_optimizer_v<Opt>,
                "train: the optimizer must be Sgd{...}, Adam{...} or "
                "AdamW{...}");
}

} // namespace detail
} // namespace kiln::dsl
