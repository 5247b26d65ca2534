// Tensor<D...>: a handle to a value in the graph of the entry point being
// built, with its dimensions in the type (see dims.h, symbols.h).
//
//   Tensor<batch, 784> x;   // [batch, 784] f32
//   Scalar loss;            // Tensor<>, rank 0
#pragma once

#include <source_location>

#include "kiln/dsl/dims.h"
#include "kiln/dsl/graph_api.h"

namespace kiln::dsl {

namespace detail {
struct Access;
struct FromHandle {};
} // namespace detail

template <auto... D> class Tensor {
  static_assert(((detail::is_static_v<D> || detail::is_symbol_v<D>)&&...),
                "Tensor: each dimension must be an int size or a symbol "
                "(an enumerator such as kiln::dsl::batch)");
  static_assert(((detail::is_symbol_v<D> || detail::size_of<D>() > 0) && ...),
                "Tensor: static dimensions must be positive");

public:
  static constexpr int rank = sizeof...(D);

  // An empty handle; using it in an op is a run-time error.
  Tensor() = default;

  // Copies record where they happen. Operators (a + b) cannot take a
  // defaulted std::source_location parameter, so they take their operands by
  // value and use the location of this copy, i.e. the user's expression.
  Tensor(const Tensor &other,
         std::source_location loc = std::source_location::current()) noexcept
      : handle_(other.handle_), loc_(loc) {}
  Tensor &operator=(const Tensor &other) noexcept = default;

  Tensor(detail::FromHandle, int handle, std::source_location loc) noexcept
      : handle_(handle), loc_(loc) {}

private:
  friend struct detail::Access;
  int handle_ = -1;
  std::source_location loc_{};
};

using Scalar = Tensor<>;

// Ints<D...>: a tensor of int32 values (token ids, class labels), for an
// entry point's inputs. Only the index ops take it (indices.h: gather,
// Embedding, one_hot, to_float); arithmetic on it is a compile error.
template <auto... D> class Ints {
  static_assert(((detail::is_static_v<D> || detail::is_symbol_v<D>)&&...),
                "Ints: each dimension must be an int size or a symbol");

public:
  static constexpr int rank = sizeof...(D);
  Ints() = default;
  Ints(const Ints &other,
       std::source_location loc = std::source_location::current()) noexcept
      : handle_(other.handle_), loc_(loc) {}
  Ints &operator=(const Ints &other) noexcept = default;
  Ints(detail::FromHandle, int handle, std::source_location loc) noexcept
      : handle_(handle), loc_(loc) {}

private:
  friend struct detail::Access;
  int handle_ = -1;
  std::source_location loc_{};
};

namespace detail {

// The front end's view of a handle (kept out of Tensor's public interface).
struct Access {
  template <auto... D> static int handle(const Tensor<D...> &t) {
    return t.handle_;
  }
  template <auto... D> static Loc loc(const Tensor<D...> &t) { return t.loc_; }
  template <auto... D> static int handle(const Ints<D...> &t) {
    return t.handle_;
  }
};

template <class T> struct is_tensor : std::false_type {};
template <auto... D> struct is_tensor<Tensor<D...>> : std::true_type {};
template <class T> inline constexpr bool is_tensor_v = is_tensor<T>::value;
template <class T> struct is_ints : std::false_type {};
template <auto... D> struct is_ints<Ints<D...>> : std::true_type {};
template <class T> inline constexpr bool is_ints_v = is_ints<T>::value;

// Also true for types derived from a Tensor (Param).
template <auto... D> std::true_type tensor_base(const Tensor<D...> *);
std::false_type tensor_base(...);
template <class T>
inline constexpr bool is_tensor_like_v =
    decltype(tensor_base(static_cast<T *>(nullptr)))::value;

template <class T> struct shape_ref_of;
template <auto... D> struct shape_ref_of<Tensor<D...>> {
  static ShapeRef get() { return shape_of<D...>(); }
};
template <auto... D> struct shape_ref_of<Ints<D...>> {
  static ShapeRef get() { return shape_of<D...>(); }
};

// Wraps a builder result as a tensor of type T.
template <class T> T wrap(int handle, Loc loc) {
  return T(FromHandle{}, handle, loc);
}

template <class T> ShapeRef shape() { return shape_ref_of<T>::get(); }

} // namespace detail
} // namespace kiln::dsl
