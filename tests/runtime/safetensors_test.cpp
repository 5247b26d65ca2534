// safetensors: the exact layout written (so other tools can read it), a
// round trip, and every way a file can be malformed, crafted byte by byte,
// with the message a user sees.
#include "test_files.h"

#include "kiln/runtime/json.h"
#include "kiln/runtime/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace kiln::rt;
using kiln::test::error_of;
using kiln::test::read_bytes;
using kiln::test::TempDir;
using kiln::test::write_bytes;

namespace {

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return s;
}

std::string floats(std::vector<float> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4);
}

// A file with the given header text and data; the length prefix says
// `length` (default: the header's real length).
std::string craft(const std::string &header, const std::string &data,
                  std::optional<uint64_t> length = {}) {
  return le64(length.value_or(header.size())) + header + data;
}

class Safetensors : public ::testing::Test {
protected:
  TempDir dir;
  std::filesystem::path file = dir / "t.safetensors";
  std::string p = file.string();

  // The message for a file holding `bytes`, by both readers.
  std::string reject(const std::string &bytes) {
    write_bytes(file, bytes);
    const std::string full = error_of([&] { read_safetensors(file); });
    EXPECT_EQ(full, error_of([&] { read_safetensors_header(file); }));
    return full;
  }
};

TEST_F(Safetensors, WritesTheStandardLayout) {
  Tensor w({2, 3}, {1, 2, 3, 4, 5, 6}), b({3}, {7, 8, 9}), s({}, {10});
  const std::vector<TensorRef> tensors = {{"w", &w}, {"b", &b}, {"step", &s}};
  write_safetensors(file, tensors, {{"model", "toy"}});
  const std::string bytes = read_bytes(file);
  const std::string header =
      R"({"__metadata__":{"model":"toy"},)"
      R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("b":{"dtype":"F32","shape":[3],"data_offsets":[24,36]},)"
      R"("step":{"dtype":"F32","shape":[],"data_offsets":[36,40]}})";
  const size_t padded = (header.size() + 7) / 8 * 8;
  ASSERT_EQ(bytes.size(), 8 + padded + 40);
  EXPECT_EQ(bytes.substr(0, 8), le64(padded));
  EXPECT_EQ(bytes.substr(8, header.size()), header);
  EXPECT_EQ(bytes.substr(8 + header.size(), padded - header.size()),
            std::string(padded - header.size(), ' '));
  EXPECT_EQ(bytes.substr(8 + padded), floats({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_F(Safetensors, RoundTrip) {
  Tensor w({2, 3}, {1.5f, -2, 3e-8f, 4, 5, 6}), s({}, {42}), e({0, 4});
  const std::vector<TensorRef> tensors = {
      {"a.weight", &w}, {"s", &s}, {"e", &e}};
  write_safetensors(file, tensors, {{"k", "v \"quoted\"\n"}, {"n", "1"}});
  const SafetensorsFile f = read_safetensors(file);
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.tensors[0].name, "a.weight");
  EXPECT_EQ(f.tensors[0].tensor.shape(), w.shape());
  EXPECT_EQ(std::memcmp(f.tensors[0].tensor.data(), w.data(), 24), 0);
  EXPECT_EQ(f.find("s")->tensor.rank(), 0);
  EXPECT_EQ(f.find("s")->tensor.data()[0], 42);
  EXPECT_EQ(f.find("e")->tensor.shape(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(*f.meta("k"), "v \"quoted\"\n");
  EXPECT_EQ(f.meta("missing"), nullptr);
  const SafetensorsHeader h = read_safetensors_header(file);
  EXPECT_EQ(h.metadata, f.metadata);
  EXPECT_EQ(h.find("a.weight")->shape, w.shape());
}

TEST_F(Safetensors, WritingIsAtomicAndLeavesNoTemporaryFiles) {
  Tensor a({2}, {1, 2}), b({1}, {3});
  write_safetensors(file, std::vector<TensorRef>{{"a", &a}});
  write_safetensors(file, std::vector<TensorRef>{{"b", &b}}); // replaces it
  EXPECT_EQ(read_safetensors(file).tensors[0].name, "b");
  int entries = 0;
  for ([[maybe_unused]] const auto &e :
       std::filesystem::directory_iterator(dir.path()))
    ++entries;
  EXPECT_EQ(entries, 1);
  const std::string missing_dir = (dir / "no/such/dir/x.safetensors").string();
  EXPECT_EQ(error_of([&] {
              write_safetensors(missing_dir, std::vector<TensorRef>{{"a", &a}});
            }),
            missing_dir + ": cannot create a temporary file to write: No such "
                          "file or directory");
}

TEST_F(Safetensors, WriterRejectsBadNames) {
  Tensor a({1});
  EXPECT_EQ(
      error_of([&] {
        write_safetensors(file, std::vector<TensorRef>{{"a", &a}, {"a", &a}});
      }),
      p + ": duplicate tensor name 'a'");
  EXPECT_EQ(error_of([&] {
              write_safetensors(file, std::vector<TensorRef>{{"", &a}});
            }),
            p + ": cannot write a tensor named ''");
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(Safetensors, MissingFile) {
  EXPECT_EQ(error_of([&] { read_safetensors(dir / "nope.safetensors"); }),
            (dir / "nope.safetensors").string() +
                ": cannot open: No such file or directory");
}

TEST_F(Safetensors, TruncatedBeforeTheHeaderLength) {
  EXPECT_EQ(reject(std::string("\x10\0\0", 3)),
            p + ": truncated: 3 bytes, but a safetensors file starts with an "
                "8-byte header length");
  EXPECT_EQ(reject(""), p + ": truncated: 0 bytes, but a safetensors file "
                            "starts with an 8-byte header length");
}

TEST_F(Safetensors, HeaderLengthBeyondTheFileOrTheCap) {
  EXPECT_EQ(reject(craft("{}", "", 100)),
            p + ": header length 100 goes past the end of the file (10 "
                "bytes; truncated?)");
  EXPECT_EQ(reject(craft("{}", "", uint64_t{1} << 62)),
            p + ": header length 4611686018427387904 is above the limit of "
                "100000000 bytes (not a safetensors file, or corrupt)");
}

TEST_F(Safetensors, InvalidJson) {
  EXPECT_EQ(reject(craft(R"({"a": )", "")),
            p + ": header is not valid JSON: byte 7: syntax error while "
                "parsing value - unexpected end of input; expected '[', '{', "
                "or a literal");
  EXPECT_EQ(reject(craft(R"({"a": 1} x)", "")),
            p + ": header is not valid JSON: byte 10: syntax error while "
                "parsing value - invalid literal; last read: '1} x'; "
                "expected end of input");
  EXPECT_EQ(reject(craft("[1, 2]", "")),
            p + ": header must be a JSON object, got an array");
  EXPECT_EQ(reject(craft(std::string(100, '['), "")),
            p + ": header is not valid JSON: nested deeper than 64 levels");
}

TEST_F(Safetensors, DtypeOtherThanTheReadableOnes) {
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})",
                   std::string(4, '\0'))),
      p + ": tensor 'a' has dtype U16; kiln reads F32, F16, BF16, I32, I64 "
          "and U8 tensors");
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})",
                   std::string(8, '\0'))),
      p + ": tensor 'a' has unknown dtype 'Q7'");
}

// Little-endian bytes of 16-bit patterns.
std::string halves(std::vector<uint16_t> v) {
  std::string s;
  for (uint16_t h : v) {
    s += static_cast<char>(h & 0xFF);
    s += static_cast<char>(h >> 8);
  }
  return s;
}

std::string int64s(std::vector<int64_t> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8);
}

TEST_F(Safetensors, ReadsHalfFloatsAsF32) {
  // IEEE half: 1, -2, the smallest subnormal 2^-24, 65504, infinity;
  // bfloat16: 1, -3, 2^-126.
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},)"
      R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[10,16]}})";
  write_bytes(file,
              craft(header, halves({0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00}) +
                                halves({0x3F80, 0xC040, 0x0080})));
  const SafetensorsFile f = read_safetensors(file);
  const Tensor &h = f.find("h")->tensor;
  ASSERT_EQ(h.dtype(), DType::f32);
  EXPECT_EQ(
      std::vector<float>(h.data(), h.data() + 5),
      (std::vector<float>{1, -2, std::ldexp(1.0f, -24), 65504, INFINITY}));
  const Tensor &b = f.find("b")->tensor;
  EXPECT_EQ(std::vector<float>(b.data(), b.data() + 3),
            (std::vector<float>{1, -3, std::ldexp(1.0f, -126)}));
  EXPECT_EQ(read_safetensors_header(file).find("h")->stored, "F16");
}

TEST_F(Safetensors, ReadsIntegersAsI32) {
  const std::string header =
      R"({"i":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},)"
      R"("l":{"dtype":"I64","shape":[2],"data_offsets":[8,24]}})";
  const std::vector<int32_t> i32 = {7, -5};
  write_bytes(
      file,
      craft(header, std::string(reinterpret_cast<const char *>(i32.data()), 8) +
                        int64s({2147483647, -2147483648LL})));
  const SafetensorsFile f = read_safetensors(file);
  const Tensor &i = f.find("i")->tensor, &l = f.find("l")->tensor;
  ASSERT_EQ(i.dtype(), DType::i32);
  EXPECT_EQ(std::vector<int32_t>(i.ints(), i.ints() + 2), i32);
  EXPECT_EQ(std::vector<int32_t>(l.ints(), l.ints() + 2),
            (std::vector<int32_t>{2147483647, -2147483647 - 1}));
}

TEST_F(Safetensors, I64OutsideInt32IsRejected) {
  write_bytes(
      file, craft(R"({"l":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})",
                  int64s({1, 2147483648LL})));
  EXPECT_EQ(error_of([&] { read_safetensors(file); }),
            p + ": tensor 'l': I64 value 2147483648 at index 1 does not fit "
                "the int32 kiln computes with");
}

TEST_F(Safetensors, WritesAndReadsBackI32) {
  const Tensor ids = Tensor::of_ints({2, 2}, {3, -1, 0, 255});
  const Tensor x({1}, std::vector<float>{0.5f});
  const std::vector<TensorRef> tensors = {{"ids", &ids}, {"x", &x}};
  write_safetensors(file, tensors);
  const std::string bytes = read_bytes(file);
  EXPECT_NE(bytes.find(R"("ids":{"dtype":"I32","shape":[2,2])"),
            std::string::npos)
      << bytes;
  const SafetensorsFile f = read_safetensors(file);
  const Tensor &back = f.find("ids")->tensor;
  ASSERT_EQ(back.dtype(), DType::i32);
  EXPECT_EQ(std::vector<int32_t>(back.ints(), back.ints() + 4),
            (std::vector<int32_t>{3, -1, 0, 255}));
  EXPECT_EQ(f.find("x")->tensor.data()[0], 0.5f);
}

TEST_F(Safetensors, MalformedEntries) {
  EXPECT_EQ(reject(craft(R"({"a":{"dtype":"F32","shape":[2]}})", "")),
            p + ": tensor 'a': missing 'data_offsets'");
  EXPECT_EQ(reject(craft(R"({"a":[1]})", "")),
            p + ": tensor 'a': expected an object with dtype, shape and "
                "data_offsets, got an array");
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                   std::string(8, '\0'))),
      p + ": tensor 'a': shape must be an array of non-negative integers");
  EXPECT_EQ(
      reject(
          craft(R"({"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})",
                std::string(8, '\0'))),
      p + ": tensor 'a': shape must be an array of non-negative integers");
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
                   std::string(8, '\0'))),
      p + ": tensor 'a': data_offsets must be [begin, end], two non-negative "
          "integers with begin <= end");
  EXPECT_EQ(reject(craft(R"({"__metadata__":{"a":1}})", "")),
            p + ": __metadata__ must map keys to strings; 'a' is a number");
}

TEST_F(Safetensors, ShapeDoesNotMatchOffsets) {
  EXPECT_EQ(
      reject(
          craft(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
                std::string(20, '\0'))),
      p + ": tensor 'a': shape [2, 3] needs 24 bytes of F32 but data_offsets "
          "[0, 20] hold 20");
}

TEST_F(Safetensors, OffsetsOutOfBounds) {
  // The header promises 8 bytes; the file was cut after 4.
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                   std::string(4, '\0'))),
      p + ": tensor 'a': data_offsets [0, 8] go past the end of the data (4 "
          "bytes after the header; truncated?)");
}

TEST_F(Safetensors, OverlappingRanges) {
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                   std::string(12, '\0'))),
      p + ": tensors 'a' [0, 8] and 'b' [4, 12] overlap");
}

TEST_F(Safetensors, GapsAndUncoveredBytes) {
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                   R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                   std::string(12, '\0'))),
      p + ": bytes 4 to 8 of the data belong to no tensor (before 'b' "
          "[8, 12]); tensors must be contiguous");
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                   std::string(8, '\0'))),
      p + ": bytes 0 to 4 of the data belong to no tensor (before 'a' "
          "[4, 8]); tensors must be contiguous");
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                   std::string(6, '\0'))),
      p + ": 2 bytes after the last tensor belong to no tensor (the data "
          "is 6 bytes, the tensors cover 4)");
}

TEST_F(Safetensors, DuplicateNames) {
  EXPECT_EQ(
      reject(craft(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                   R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                   std::string(8, '\0'))),
      p + ": header is not valid JSON: an object names member 'a' twice");
  EXPECT_EQ(reject(craft(R"({"__metadata__":{"k":"1","k":"2"}})", "")),
            p + ": header is not valid JSON: an object names member 'k' "
                "twice");
}

TEST_F(Safetensors, ReadsAnyOrderOfTheHeaderAndPadding) {
  // Entries listed out of data order, header padded: as other writers do.
  const std::string header =
      R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
      R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}    )";
  write_bytes(file, craft(header, floats({1, 2})));
  const SafetensorsFile f = read_safetensors(file);
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].name, "a"); // in data order
  EXPECT_EQ(f.find("b")->tensor.data()[0], 2);
}

// kiln's layer over nlohmann-json: exact integers, member order, duplicate
// names and depth refused, errors with their byte.
TEST(Json, ParsesAndWrites) {
  const Json j =
      parse_json(R"( {"z": [1, -2.5e3, true, null], "s": "x\u00e9\n"} )");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.at("z")[1].get<double>(), -2500);
  EXPECT_EQ(json_int64(j.at("z")[0]), 1);
  EXPECT_FALSE(json_int64(j.at("z")[1]));
  EXPECT_FALSE(json_uint64(parse_json("-1")));
  EXPECT_EQ(json_uint64(parse_json("18446744073709551615")),
            18446744073709551615u);
  EXPECT_FALSE(json_int64(parse_json("18446744073709551615")));
  EXPECT_EQ(json_int64(parse_json("-9223372036854775808")),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(j.at("s").get<std::string>(), "x\xc3\xa9\n");
  EXPECT_EQ(json_text(j), R"({"z":[1,-2500.0,true,null],"s":"xé\n"})");
  EXPECT_EQ(json_text(Json(0.1)), "0.1");
  EXPECT_EQ(json_text(Json(std::nan(""))), "null");
  EXPECT_EQ(json_text(Json("a\xff")), "\"a\xef\xbf\xbd\"");
  EXPECT_EQ(json_member(j, "s"), &j.at("s"));
  EXPECT_EQ(json_member(j, "t"), nullptr);
  EXPECT_EQ(json_member(j.at("z"), "s"), nullptr);
  EXPECT_STREQ(json_kind(j), "an object");
  EXPECT_STREQ(json_kind(j.at("z")[0]), "a number");
  EXPECT_EQ(error_of([] { parse_json("\"\\q\""); }).substr(0, 8), "byte 3: ");
  EXPECT_EQ(error_of([] { parse_json("01"); }).substr(0, 8), "byte 2: ");
  EXPECT_EQ(error_of([] { parse_json("[1e999]"); }),
            "number overflow parsing '1e999'");
  EXPECT_EQ(error_of([] { parse_json(R"({"a": {"b": 1, "b": 2}})"); }),
            "an object names member 'b' twice");
  EXPECT_EQ(error_of([] { parse_json("[[[1]]]", 2); }),
            "nested deeper than 2 levels");
  EXPECT_EQ(parse_json("[[1]]", 2).dump(), "[[1]]");
}

} // namespace
