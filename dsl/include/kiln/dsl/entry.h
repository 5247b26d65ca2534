// Turning a C++ function into an entry point: create one argument per Tensor
// parameter, call the function, record what it returns.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

// Returned by infer()/train(): names the entry point's tensors, e.g.
//   infer("forward", &Mlp::forward).inputs("z").outputs("logits");
// Unnamed tensors are input0, input1, ... and output0, ... ("loss" for train).
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

private:
  int index_;
};

namespace detail {

template <class T> T make_argument(int index) {
  return wrap<T>(argument(index, shape<T>()), Loc{});
}

template <class T> struct Results {
  static_assert(is_tensor_like_v<T>,
                "an entry point must return a Tensor, or a "
                "std::pair / std::tuple of Tensors");
  static constexpr int count = 1;
  static void collect(const T &t, int *out) { out[0] = Access::handle(t); }
};
template <class... T> struct Results<std::tuple<T...>> {
  static_assert((is_tensor_like_v<T> && ...),
                "an entry point's std::tuple result must hold only Tensors");
  static constexpr int count = sizeof...(T);
  static void collect(const std::tuple<T...> &t, int *out) {
    std::apply([&](const T &...x) { ((*out++ = Access::handle(x)), ...); }, t);
  }
};
template <class A, class B>
struct Results<std::pair<A, B>> : Results<std::tuple<A, B>> {
  static void collect(const std::pair<A, B> &t, int *out) {
    static_assert(is_tensor_like_v<A> && is_tensor_like_v<B>,
                  "an entry point's std::pair result must hold two Tensors");
    out[0] = Access::handle(t.first);
    out[1] = Access::handle(t.second);
  }
};

// Ends the entry point if the user's function throws.
class EntryScope {
public:
  EntryScope(std::string_view name, const char *kind, int num_args, Loc loc) {
    begin_entry(name, kind, num_args, loc);
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
EntryRef run_entry(std::string_view name, const char *kind, Call &&call,
                   Loc loc) {
  constexpr bool parameters_are_tensors =
      (is_tensor_v<std::remove_cvref_t<Args>> && ...);
  if constexpr (!parameters_are_tensors) {
    static_assert(parameters_are_tensors,
                  "entry point parameters must be Tensor<...> values");
    return EntryRef(-1);
  } else {
    EntryScope scope(name, kind, int(sizeof...(Args)), loc);
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
  template <class F>
  static EntryRef run(std::string_view name, const char *kind, F &f, Loc loc) {
    return run_entry<R, A...>(name, kind, f, loc);
  }
};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...) const> : CallSignature<R (C::*)(A...)> {};

template <class R> constexpr void check_train_result() {
  static_assert(std::is_same_v<std::remove_cvref_t<R>, Scalar>,
                "train: the loss function must return a Scalar (Tensor<>)");
}

} // namespace detail
} // namespace kiln::dsl
