// JSON-lines metrics (one parseable object per line, trimmed on resume) and
// the progress line, on a terminal and off.
#include "test_files.h"

#include "kiln/runtime/metrics.h"
#include "kiln/runtime/progress.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

using namespace kiln::rt;
using kiln::test::read_bytes;
using kiln::test::TempDir;
using kiln::test::write_bytes;

namespace {

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

Json record(int64_t step, double loss) {
  Json r = Json::object();
  r["step"] = step;
  r["epoch"] = 0;
  r["loss"] = loss;
  r["wall_s"] = 0.5;
  return r;
}

TEST(Metrics, OneObjectPerLineFlushed) {
  TempDir dir;
  MetricsWriter m(dir / "metrics.jsonl");
  m.write(record(10, 251.5));
  // Flushed: readable while the writer is still open.
  EXPECT_EQ(read_bytes(dir / "metrics.jsonl"),
            "{\"step\":10,\"epoch\":0,\"loss\":251.5,\"wall_s\":0.5}\n");
  m.write(record(20, std::nan("")));
  const std::vector<std::string> l = lines(read_bytes(dir / "metrics.jsonl"));
  ASSERT_EQ(l.size(), 2u);
  const Json j = parse_json(l[1]);
  EXPECT_EQ(json_int64(j.at("step")), 20);
  EXPECT_TRUE(j.at("loss").is_null()); // JSON has no NaN
}

TEST(Metrics, ANewRunStartsAfreshAResumedOneTrims) {
  TempDir dir;
  const auto path = dir / "metrics.jsonl";
  write_bytes(path, "{\"step\":10}\n{\"step\":20}\n{\"step\":30}\n{\"ste");
  {
    MetricsWriter resumed(path, 20); // checkpoint at step 20
    resumed.write(record(30, 1.0));
  }
  std::vector<std::string> l = lines(read_bytes(path));
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "{\"step\":10}");
  EXPECT_EQ(l[1], "{\"step\":20}");
  EXPECT_EQ(parse_json(l[2]).at("loss").get<double>(), 1.0);
  { MetricsWriter fresh(path); }
  EXPECT_EQ(read_bytes(path), "");
}

TEST(Progress, LinesEveryNStepsOffATerminal) {
  std::ostringstream out;
  Progress p(out, 10, 0, false, 4);
  const std::vector<NamedValue> v = {{"loss", 2.5}, {"kl", 0.125}};
  for (int step = 1; step <= 10; ++step)
    p.update(step, v, step * 0.5); // 2 steps/s
  p.finish();
  EXPECT_EQ(out.str(), "step 4/10  loss 2.5  kl 0.125  2 steps/s  ETA 3s\n"
                       "step 8/10  loss 2.5  kl 0.125  2 steps/s  ETA 1s\n"
                       "step 10/10  loss 2.5  kl 0.125  2 steps/s\n");
}

TEST(Progress, RedrawsInPlaceOnATerminal) {
  std::ostringstream out;
  Progress p(out, 100, 50, true, 1000); // resumed at step 50
  p.update(51, {}, 0.5);
  p.update(52, {}, 0.55); // within 0.1 s: not drawn
  p.update(60, {}, 1.0);
  p.update(100, {}, 2.0); // the last step is always drawn
  p.finish();
  // A shorter line blanks the tail of the longer one it overwrites.
  EXPECT_EQ(out.str(), "\rstep 51/100  2 steps/s  ETA 25s"
                       "\rstep 60/100  10 steps/s  ETA 4s"
                       "\rstep 100/100  25 steps/s       \n");
}

TEST(Progress, ClosesItsLineWhenARunStopsEarly) {
  std::ostringstream out;
  {
    Progress p(out, 100, 0, true, 1000);
    p.update(10, {}, 1.0); // then an error unwinds the run: no finish()
  }
  out << "error";
  EXPECT_EQ(out.str(), "\rstep 10/100  10 steps/s  ETA 9s\nerror");
}

TEST(Progress, Durations) {
  EXPECT_EQ(Progress::duration(47.4), "47s");
  EXPECT_EQ(Progress::duration(185), "3m05s");
  EXPECT_EQ(Progress::duration(7380), "2h03m");
}

} // namespace
