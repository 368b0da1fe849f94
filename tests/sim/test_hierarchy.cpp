// The accelerator as a SystemC hierarchy: stages are modules and streams are
// channels named after the hardware, found with sc_find_object, their ports
// bound to the FIFOs the engine uses; and the engine's host order never
// changes a cycle.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <systemc>
#include <vector>

#include "models/accelerator/accelerator.h"
#include "sim/config/loaders.h"
#include "sim/run/simulation.h"
#include "tests/sim/host_orders.h"

namespace vine {
namespace {

const std::string kCnv =
    std::string(VINE_SOURCE_DIR) + "/configs/designs/bnn-pynq/cnv-w1a1-pynq-z1.yaml";

TEST(Hierarchy, StagesAndStreamsAreNamedSystemCObjects) {
  const ir::Design d = config::load_design(kCnv);
  sim::RunOptions o;
  o.frames = 1;
  o.timing_only = true;
  sim::Simulation s(d, o);
  const sim::ProcessNetwork& pn = s.network();

  auto* mvau = dynamic_cast<models::Stage*>(sc_core::sc_find_object("accel.conv1.mvau"));
  ASSERT_NE(mvau, nullptr);
  EXPECT_EQ(mvau->name(), "conv1.mvau");
  EXPECT_STREQ(mvau->kind(), "mvau");
  EXPECT_STREQ(mvau->get_parent_object()->name(), "accel.conv1");
  auto* swg = dynamic_cast<models::Stage*>(sc_core::sc_find_object("accel.conv1.swg"));
  ASSERT_NE(swg, nullptr);
  EXPECT_STREQ(swg->kind(), "swg");

  auto* edge = dynamic_cast<models::StreamFifo*>(sc_core::sc_find_object("accel.conv0->conv1"));
  ASSERT_NE(edge, nullptr);
  EXPECT_EQ(edge->name(), "conv0->conv1");
  EXPECT_EQ(edge->depth(), 128);  // the design's inter1 FIFO (BNN-PYNQ's CNV top level)
  EXPECT_EQ(edge->consumer, sc_core::sc_find_object("accel.conv1.dwc_in"));
  auto* internal =
      dynamic_cast<models::StreamFifo*>(sc_core::sc_find_object("accel.conv1.swg->mvau"));
  ASSERT_NE(internal, nullptr);
  EXPECT_EQ(internal->name(), "conv1.swg->conv1.mvau");
  EXPECT_EQ(internal->producer, swg);
  EXPECT_EQ(internal->consumer, mvau);

  // Every stage's ports are bound once per stream it reads and writes, and
  // every object is reachable from `accel` with its plan name.
  int stages = 0, streams = 0;
  for (const auto& st : pn.stages()) {
    EXPECT_EQ(st->in.bind_count(), int(st->inputs().size())) << st->name();
    EXPECT_EQ(st->out.bind_count(), int(st->outputs().size())) << st->name();
    EXPECT_EQ(sc_core::sc_find_object(st->sc_core::sc_object::name()), st.get()) << st->name();
    ++stages;
  }
  for (const auto& f : pn.fifos()) {
    EXPECT_EQ(sc_core::sc_find_object(f->sc_core::sc_object::name()), f.get()) << f->name();
    ++streams;
  }
  EXPECT_EQ(stages, int(pn.plan().stages.size()));
  EXPECT_EQ(streams, int(pn.plan().streams.size()));

  std::ostringstream listing;
  models::write_hierarchy(listing, &pn.accelerator());
  EXPECT_NE(listing.str().find("    accel.conv1.mvau  (mvau)\n"), std::string::npos)
      << listing.str();
  EXPECT_NE(listing.str().find("  accel.conv0->conv1  (vine_stream_fifo)\n"), std::string::npos);
}

// Two accelerators alive at once get distinct names.
TEST(Hierarchy, ASecondAcceleratorGetsItsOwnName) {
  const ir::Design d = config::load_design(kCnv);
  sim::RunOptions o;
  o.timing_only = true;
  sim::Simulation a(d, o), b(d, o);
  EXPECT_STREQ(a.network().accelerator().name(), "accel");
  EXPECT_STREQ(b.network().accelerator().name(), "accel_1");
  EXPECT_NE(sc_core::sc_find_object("accel_1.conv1.mvau"), nullptr);
}

// The engine computes a stamp only from stamps that are final, so the order
// in which the host runs ready stages changes nothing: every beat of every
// FIFO moves in the same cycle under FIFO, LIFO and shuffled orders.
TEST(Hierarchy, HostOrderNeverChangesACycle) {
  for (const char* design :
       {"bnn-pynq/cnv-w1a1-pynq-z1.yaml", "resnet18/resnet18-mixed-u250.yaml"}) {
    const ir::Design d =
        config::load_design(std::string(VINE_SOURCE_DIR) + "/configs/designs/" + design);
    testing_support::expect_host_order_never_changes_a_cycle(d, 1, design, /*orders_differ=*/true);
  }
}

}  // namespace
}  // namespace vine
