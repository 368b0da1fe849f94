// The compute engine's selective dot products (docs/engine.md#input-selective-pes):
// when a channel group has c < T_OUT filters, dot product j computes filter
// j % c of output pixel j / c of the set, so it takes its T_IN-word input
// vector from one of the P pixel streams the input buffer delivers a cycle.
// j / c <= j, so dot product j selects among min(j + 1, P) streams: a
// multiplexer of T_IN x A bits per dot product (dot product 0 always takes
// stream 0 and has none). Combinational: the lanes unit registers what it
// computes from the selected words. Written to check the LUT formula of
// sim/engine/engine_resources.cpp against Yosys
// (scripts/synth-units -u engine_pixel_select).
module engine_pixel_select #(
  parameter int T_OUT = 8,  // dot products
  parameter int T_IN = 8,   // lanes of each dot product
  parameter int A = 8,      // activation bits
  parameter int P = 4,      // pixel streams (pixels a cycle)
  localparam int SW = vine_rtl_timing_pkg::max_int(1, vine_rtl_timing_pkg::clog2(P)),
  localparam int VW = T_IN * A  // one pixel's input vector
) (
  input  logic [P*VW-1:0]     in_pixels,  // stream k's vector at [k*VW +: VW]
  input  logic [T_OUT*SW-1:0] in_select,  // dot product j's stream index at [j*SW +: SW]
  output logic [T_OUT*VW-1:0] out_vectors // dot product j's vector at [j*VW +: VW]
);
  // Every dot product has an SW-bit index slot; dot product j reads only its
  // clog2(min(j + 1, P)) low bits (dot product 0 none), so the rest have no
  // load.
  logic unused;
  assign unused = ^in_select;
  for (genvar j = 0; j < T_OUT; j++) begin : g_dot
    localparam int N = (j + 1 < P) ? j + 1 : P;  // streams dot product j can take
    localparam int NW = vine_rtl_timing_pkg::clog2(N);
    if (N == 1) begin : g_wired
      assign out_vectors[j*VW +: VW] = in_pixels[0 +: VW];
    end else begin : g_select
      // An indexed part-select over the N streams, zero-padded to a power of
      // two (an index past N - 1 reads 0), as engine_input_select.sv.
      logic [(1<<NW)*VW-1:0] streams;
      if (N == (1 << NW)) begin : g_full
        assign streams = in_pixels[0 +: N*VW];
      end else begin : g_padded
        assign streams = {{((1 << NW) - N) * VW{1'b0}}, in_pixels[0 +: N*VW]};
      end
      assign out_vectors[j*VW +: VW] = streams[in_select[j*SW +: NW]*VW +: VW];
    end
  end
endmodule
