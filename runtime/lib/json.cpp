#include "kiln/runtime/json.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <limits>
#include <set>
#include <string_view>
#include <vector>

namespace kiln::rt {

Json parse_json(std::string_view text, int max_depth) {
  // The member names of each open object (none for an array): nlohmann
  // keeps the last of two equal names, and a reader must not see one file
  // as two different headers.
  std::vector<std::optional<std::set<std::string>>> open;
  const Json::parser_callback_t check = [&](int, Json::parse_event_t event,
                                            Json &parsed) {
    switch (event) {
    case Json::parse_event_t::object_start:
    case Json::parse_event_t::array_start:
      if (static_cast<int>(open.size()) >= max_depth)
        throw Error(fmt::format("nested deeper than {} levels", max_depth));
      open.emplace_back();
      if (event == Json::parse_event_t::object_start)
        open.back().emplace();
      break;
    case Json::parse_event_t::object_end:
    case Json::parse_event_t::array_end:
      open.pop_back();
      break;
    case Json::parse_event_t::key:
      if (!open.back()->insert(parsed.get<std::string>()).second)
        throw Error(fmt::format("an object names member '{}' twice",
                                parsed.get<std::string>()));
      break;
    case Json::parse_event_t::value:
      break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), check);
  } catch (const Json::parse_error &e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 7:
    // syntax error while parsing value - ..." -> what follows the position.
    std::string_view what = e.what();
    if (const size_t at = what.find(": "); at != std::string_view::npos)
      what.remove_prefix(at + 2);
    throw Error(fmt::format("byte {}: {}", e.byte, what));
  } catch (const Json::exception &e) {
    // A number beyond double's range: "[json.exception.out_of_range.406]
    // number overflow parsing '1e999'" -> the text after the tag.
    std::string_view what = e.what();
    if (const size_t at = what.find("] "); at != std::string_view::npos)
      what.remove_prefix(at + 2);
    throw Error(std::string(what));
  }
}

std::optional<int64_t> json_int64(const Json &value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer())
    return value.get<int64_t>();
  return std::nullopt;
}

std::optional<uint64_t> json_uint64(const Json &value) {
  if (value.is_number_unsigned())
    return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0)
    return static_cast<uint64_t>(value.get<int64_t>());
  return std::nullopt;
}

const Json *json_member(const Json &object, std::string_view key) {
  if (!object.is_object())
    return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const char *json_kind(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::boolean:
    return "a boolean";
  case Json::value_t::string:
    return "a string";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::object:
    return "an object";
  case Json::value_t::binary:
    return "binary data";
  case Json::value_t::discarded:
    return "nothing";
  default:
    return "a number";
  }
}

std::string json_text(const Json &value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace kiln::rt
