// The PE array of a stage on XNOR-popcount (binary-weight) lanes: PE
// instances of mvau_lanes_binary, one per PE as the hardware has, in one
// module, so that a co-simulation clocks the stage's PEs with one model
// evaluation a cycle instead of one per PE (docs/cosim.md, "Speed"). The
// arithmetic is mvau_lanes_binary's, unchanged (its unit benches pin it);
// this module only gathers the PEs' ports.
//
// The PEs of a stage share their clock enable and take their beats together
// (the same fold of their rows, or none), so en, in_valid, in_first and
// in_last are shared; weights, activations and results are per PE, each
// PE's field starting at a 32-bit word (the co-simulation's packing, where a
// PE's beat is whole words; the bits between fields are unused):
//  - PE p's SIMD weights at in_weights[p*WW*32 +: SIMD], WW = ceil(SIMD/32);
//  - its SIMD*A activation bits at in_acts[p*AW*32 +: SIMD*A],
//    AW = ceil(SIMD*A/32);
//  - its out_valid at out_valid[p], its accumulator at out_acc[p*64 +: ACC_BITS]
//    (the bits above it zero).
// Latency and II: mvau_lanes_binary's.
//
// VINE_LANES_BINARY names the per-PE module; a test Verilates the array with
// a variant of it (tests/cosim).
`ifndef VINE_LANES_BINARY
`define VINE_LANES_BINARY mvau_lanes_binary
`endif
module mvau_lanes_binary_pes #(
  parameter int PE = 1,
  parameter int SIMD = 4,
  parameter int A = 1,
  parameter int A_SIGNED = 0,
  parameter int BIPOLAR = 1,
  parameter int MW = SIMD,
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_binary_acc_bits(A, A_SIGNED, BIPOLAR, MW),
  localparam int WW = (SIMD + 31) / 32,
  localparam int AW = (SIMD * A + 31) / 32
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [PE*WW*32-1:0] in_weights,
  input  logic [PE*AW*32-1:0] in_acts,
  output logic [PE-1:0]       out_valid,
  output logic [PE*64-1:0]    out_acc
);
  if (ACC_BITS > 64) begin : g_check
    $error("mvau_lanes_binary_pes: accumulators of at most 64 bits");
  end

  for (genvar p = 0; p < PE; p++) begin : g_pe
    logic [ACC_BITS-1:0] acc;
    `VINE_LANES_BINARY #(.SIMD(SIMD), .A(A), .A_SIGNED(A_SIGNED), .BIPOLAR(BIPOLAR), .MW(MW)) u_lanes (
      .clk, .rst, .en, .in_valid, .in_first, .in_last,
      .in_weights(in_weights[p*WW*32 +: SIMD]),
      .in_acts(in_acts[p*AW*32 +: SIMD*A]),
      .out_valid(out_valid[p]),
      .out_acc(acc)
    );
    assign out_acc[p*64 +: 64] = 64'(acc);
    // The bits from a PE's field to its next word have no load.
    if (WW * 32 > SIMD) begin : g_wpad
      logic unused;
      assign unused = ^in_weights[p*WW*32 + SIMD +: WW*32 - SIMD];
    end
    if (AW * 32 > SIMD * A) begin : g_apad
      logic unused;
      assign unused = ^in_acts[p*AW*32 + SIMD*A +: AW*32 - SIMD*A];
    end
  end
endmodule
