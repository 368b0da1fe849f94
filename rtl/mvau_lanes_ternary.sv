// MVAU lanes, ternary weights: 2-bit codes 0b00 = 0, 0b01 = +1, 0b11 = -1
// (arith::weight_value(kTernary)); bit 0 enables the lane and bit 1 negates.
// The code 0b10 is not a weight (the reference rejects it); the hardware reads
// it as 0. A-bit activations, signed when A_SIGNED = 1. Adder tree and fold
// accumulator as in mvau_lanes_fixed.
// Lane i uses in_weights[2*i +: 2] and in_acts[i*A +: A].
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module mvau_lanes_ternary #(
  parameter int SIMD = 4,
  parameter int A = 4,
  parameter int A_SIGNED = 0,
  parameter int MW = SIMD,  // products per output, SIMD * SF: sets ACC_BITS
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_ternary_acc_bits(A, A_SIGNED, MW),
  localparam int LATENCY = vine_rtl_timing_pkg::mvau_lanes_ternary_latency(SIMD),
  localparam int II = vine_rtl_timing_pkg::mvau_lanes_ternary_ii()
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SIMD*2-1:0]   in_weights,
  input  logic [SIMD*A-1:0]   in_acts,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  localparam longint PMIN = vine_rtl_timing_pkg::sign_lane_min(A, A_SIGNED, 0);
  localparam longint PMAX = vine_rtl_timing_pkg::sign_lane_max(A, A_SIGNED, 0);
  localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1);

  if (LATENCY != 2 + vine_rtl_timing_pkg::tree_stages(SIMD) || II != 1) begin : g_check
    $error("mvau_lanes_ternary: the pipeline below has latency 2 + tree_stages(SIMD) and II 1");
  end

  logic [SIMD*PB-1:0] products;
  for (genvar i = 0; i < SIMD; i++) begin : g_lane
    logic signed [PB-1:0] a;
    if (A_SIGNED != 0) begin : g_s
      assign a = PB'($signed(in_acts[i*A +: A]));
    end else begin : g_u
      assign a = PB'($signed({1'b0, in_acts[i*A +: A]}));
    end
    assign products[i*PB +: PB] = !in_weights[2*i] ? '0 : in_weights[2*i+1] ? -a : a;
  end

  vine_lanes_reduce #(.SIMD(SIMD), .PMIN(PMIN), .PMAX(PMAX), .ACC_BITS(ACC_BITS)) u_reduce (
    .clk, .rst, .en, .in_valid, .in_first, .in_last, .in_products(products), .out_valid, .out_acc
  );
endmodule
