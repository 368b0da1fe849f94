// vine-systemc-stage DESIGN STAGE... [--frames N]: runs a design with the
// named width-converter stages implemented by the user's SystemC module
// (thread_width_converter.h) instead of Vine's built-in model, inside the
// SystemC board, and prints the same report as `vine run`.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "examples/systemc_stage/thread_width_converter.h"
#include "platforms/board/streaming_board.h"
#include "sim/config/config_error.h"
#include "sim/config/loaders.h"
#include "sim/run/run_format.h"
#include "sim/run/simulation.h"

int sc_main(int argc, char** argv) {
  using namespace vine;
  std::vector<std::string> stages;
  std::string design;
  int frames = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc)
      frames = std::atoi(argv[++i]);
    else if (design.empty())
      design = a;
    else
      stages.push_back(a);
  }
  if (design.empty() || stages.empty() || frames < 1) {
    std::cerr << "usage: vine-systemc-stage DESIGN STAGE... [--frames N]   (STAGE: a width "
                 "converter, e.g. "
                 "fc3.dwc_in)\n";
    return 1;
  }
  try {
    const ir::Design d = config::load_design(design);
    sim::RunOptions o;
    o.frames = frames;
    for (const auto& s : stages)
      o.systemc_stages[s] = [](models::ThreadStage& st) -> std::unique_ptr<sc_core::sc_module> {
        if (st.input_ports() != 1 || st.output_ports() != 1)
          throw std::invalid_argument(st.name() +
                                      " is not a width converter (one input, one output)");
        auto m = std::make_unique<examples::ThreadWidthConverter>("impl", st.frames(),
                                                                  st.input_beats_per_frame(0));
        m->in.bind(st.input(0));
        m->out.bind(st.output(0));
        return m;
      };
    sim::Simulation simulation(d, o);
    platforms::StreamingBoard board("board", simulation, d.clock_mhz);
    sc_core::sc_start();
    const sim::RunReport& r = simulation.finish();
    std::cout << sim::format_summary(r);
    return r.finished && r.outputs_match_reference.value_or(false) ? 0 : 2;
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}

int main(int argc, char** argv) {
  // SystemC prints a banner on start-up unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
