// The compute engine's input-selective PEs (docs/engine.md#input-selective-pes):
// lane i of every dot product takes, instead of the word wired to it, the
// window word its select index names among T_IN: a T_IN-to-1 multiplexer of
// A-bit words per lane. The same selection serves every dot product (they
// read the same window terms), so the array has T_IN of them. Combinational:
// the lanes unit registers what it computes from the selected words.
// Written to check the LUT formula of sim/engine/engine_resources.cpp
// against Yosys (scripts/synth-units -u engine_input_select).
module engine_input_select #(
  parameter int T_IN = 8,   // lanes, and words each lane selects among
  parameter int A = 8,      // activation bits
  localparam int SW = vine_rtl_timing_pkg::max_int(1, vine_rtl_timing_pkg::clog2(T_IN))
) (
  input  logic [T_IN*A-1:0]  in_window,  // word k at [k*A +: A]
  input  logic [T_IN*SW-1:0] in_select,  // lane i's index at [i*SW +: SW]
  output logic [T_IN*A-1:0]  out_words   // lane i's word at [i*A +: A]
);
  // An indexed part-select, which Yosys maps to a mux tree (LUT6 4:1 muxes
  // joined by MUXF7/MUXF8); a chain of compares per word maps to about
  // twice the LUTs. An index past T_IN - 1 (T_IN not a power of two) reads 0.
  logic [(1<<SW)*A-1:0] window;
  if (T_IN == (1 << SW)) begin : g_full
    assign window = in_window;
  end else begin : g_padded
    assign window = {{((1 << SW) - T_IN) * A{1'b0}}, in_window};
  end
  for (genvar i = 0; i < T_IN; i++) begin : g_lane
    assign out_words[i*A +: A] = window[in_select[i*SW +: SW]*A +: A];
  end
endmodule
