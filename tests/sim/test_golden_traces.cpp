// The golden figures (traces/*.golden, sim/trace/golden_figures.h): one file
// per shipped design and no other; a changed figure is one readable line and
// fails `vine golden --check`; the checksums are those `vine reference`
// prints. The per-design comparisons are the GoldenTraces.* tests
// (tests/sim/CMakeLists.txt).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/sim/run_vine.h"
#include "sim/config/loaders.h"
#include "sim/golden/network_params.h"
#include "sim/golden/reference.h"
#include "sim/trace/golden_figures.h"

namespace vine {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot = VINE_SOURCE_DIR;
const fs::path kDesigns = kRoot / "configs" / "designs";
const fs::path kTraces = kRoot / "traces";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `key` in a golden file's text.
std::string figure(const std::string& text, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("(^|\n)" + key + ": ([^\n]*)"))) return "";
  return m[2];
}

TEST(GoldenTraces, OneFilePerShippedDesignAndNoOther) {
  int designs = 0;
  for (const auto& e : fs::recursive_directory_iterator(kDesigns))
    if (e.path().extension() == ".yaml") {
      ++designs;
      fs::path golden = kTraces / fs::relative(e.path(), kDesigns);
      golden.replace_extension(".golden");
      EXPECT_TRUE(fs::exists(golden)) << golden << ": run scripts/update-traces";
    }
  EXPECT_GT(designs, 0);
  for (const auto& e : fs::recursive_directory_iterator(kTraces))
    if (e.path().extension() == ".golden") {
      fs::path design = kDesigns / fs::relative(e.path(), kTraces);
      design.replace_extension(".yaml");
      EXPECT_TRUE(fs::exists(design))
          << e.path() << " has no design: scripts/update-traces removes it";
    }
}

// A figure changed, one gone and one new: one line each, naming the key and
// both values, with the difference of two integers.
TEST(GoldenTraces, EachChangedFigureIsOneLine) {
  const std::string expected =
      "# a comment\nlatency_cycles: 295\nstage.fc0.mvau.last_out: 72\nsteady.reached: yes\n";
  const std::string actual =
      "latency_cycles: 295\nstage.fc0.mvau.last_out: 76\nbatch.cycles_total: 522\n# other\n";
  const auto d = trace::golden_diff(expected, actual);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], "stage.fc0.mvau.last_out: 72 -> 76 (+4)");
  EXPECT_EQ(d[1], "steady.reached: yes -> (gone)");
  EXPECT_EQ(d[2], "batch.cycles_total: (new) -> 522");
  EXPECT_TRUE(trace::golden_diff(expected, expected).empty());
}

using Result = vine_test::VineResult;

Result vine(const std::string& args) { return vine_test::run_vine(args); }

// The check fails on a golden file with one stage cycle moved, and says
// which figure moved by how much.
TEST(GoldenTraces, CheckFailsWithTheMovedFigure) {
  const std::string rel = "finn-examples/tfc-w1a1-pynq-z1";
  const std::string text = read(kTraces / (rel + ".golden"));
  const std::string key = "stage.fc1.mvau.last_out";
  const std::string was = figure(text, key);
  ASSERT_FALSE(was.empty()) << text;
  const std::string moved = std::to_string(std::stoll(was) - 3);
  const fs::path tmp = fs::temp_directory_path() / "vine-golden-moved.golden";
  std::ofstream(tmp) << std::regex_replace(text, std::regex(key + ": " + was), key + ": " + moved);
  const std::string design = (kDesigns / (rel + ".yaml")).string();
  const Result bad = vine("golden --check " + tmp.string() + " " + design);
  fs::remove(tmp);
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("1 golden figure(s)"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find(key + ": " + moved + " -> " + was + " (+3)"), std::string::npos)
      << bad.output;
  const Result good =
      vine("golden --check " + (kTraces / (rel + ".golden")).string() + " " + design);
  EXPECT_EQ(good.code, 0) << good.output;
}

// The checksums in every golden file are those of the golden reference for
// the file's seed: the pipeline's outputs are bit-exact.
TEST(GoldenTraces, ChecksumsAreTheReferences) {
  for (const auto& e : fs::recursive_directory_iterator(kTraces)) {
    if (e.path().extension() != ".golden") continue;
    const std::string text = read(e.path());
    fs::path design = kDesigns / fs::relative(e.path(), kTraces);
    design.replace_extension(".yaml");
    const ir::Design d = config::load_design(design.string());
    const trace::GoldenOptions o = trace::golden_options_of(text);
    const golden::NetworkParams params = golden::synthesize_params(d.network, o.seed);
    const golden::Reference ref(d.network, params);
    ASSERT_GT(o.output_frames, 0);
    for (int f = 0; f < o.output_frames; ++f) {
      // A design whose pipeline deadlocks (finn-examples/resnet50-w1a2-u250
      // with its config's FIFO depths, docs/finn-configs.md) has no outputs
      // to check: its file says so.
      if (figure(text, "finished") == "no") {
        EXPECT_EQ(figure(text, "outputs\\.frame\\." + std::to_string(f) + "\\.checksum"), "none (deadlock)")
            << e.path();
        continue;
      }
      const golden::IntTensor out = ref.run(golden::synthesize_input(d.network, o.seed, f));
      char want[24];
      std::snprintf(want, sizeof want, "0x%016llx", (unsigned long long)golden::checksum(out));
      EXPECT_EQ(figure(text, "outputs\\.frame\\." + std::to_string(f) + "\\.checksum"), want)
          << e.path();
      EXPECT_EQ(figure(text, "outputs\\.frame\\." + std::to_string(f) + "\\.top1"),
                std::to_string(golden::top1(out, d.network.classes)))
          << e.path();
    }
  }
}

}  // namespace
}  // namespace vine
