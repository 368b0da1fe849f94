// MVAU lanes, fixed-point: SIMD multipliers of W-bit two's complement weights
// by A-bit activations (unsigned, or signed when A_SIGNED = 1), adder tree, and
// the PE's accumulator over the SF synapse folds (clear on in_first, result on
// the beat with in_last). out_acc is ACC_BITS wide, FINN-R's bound for MW
// products (arith::accumulator_range), two's complement.
// Lane i uses in_weights[i*W +: W] and in_acts[i*A +: A].
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module mvau_lanes_fixed #(
  parameter int SIMD = 4,
  parameter int W = 4,
  parameter int A = 4,
  parameter int A_SIGNED = 0,
  parameter int MW = SIMD,  // products per output, SIMD * SF: sets ACC_BITS
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_fixed_acc_bits(W, A, A_SIGNED, MW),
  localparam int LATENCY = vine_rtl_timing_pkg::mvau_lanes_fixed_latency(SIMD),
  localparam int II = vine_rtl_timing_pkg::mvau_lanes_fixed_ii()
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SIMD*W-1:0]   in_weights,
  input  logic [SIMD*A-1:0]   in_acts,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  localparam longint PMIN = vine_rtl_timing_pkg::fixed_lane_min(W, A, A_SIGNED);
  localparam longint PMAX = vine_rtl_timing_pkg::fixed_lane_max(W, A, A_SIGNED);
  localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1);

  if (LATENCY != 2 + vine_rtl_timing_pkg::tree_stages(SIMD) || II != 1) begin : g_check
    $error("mvau_lanes_fixed: the pipeline below has latency 2 + tree_stages(SIMD) and II 1");
  end

  logic [SIMD*PB-1:0] products;
  for (genvar i = 0; i < SIMD; i++) begin : g_lane
    // The product lies in [PMIN, PMAX], so its value is its low PB bits, and
    // those depend only on the low PB bits of the sign- (or zero-) extended
    // operands: a PB-bit multiplier is exact.
    logic signed [PB-1:0] w, a;
    assign w = PB'($signed(in_weights[i*W +: W]));
    if (A_SIGNED != 0) begin : g_s
      assign a = PB'($signed(in_acts[i*A +: A]));
    end else begin : g_u
      assign a = PB'($signed({1'b0, in_acts[i*A +: A]}));
    end
    assign products[i*PB +: PB] = w * a;
  end

  vine_lanes_reduce #(.SIMD(SIMD), .PMIN(PMIN), .PMAX(PMAX), .ACC_BITS(ACC_BITS)) u_reduce (
    .clk, .rst, .en, .in_valid, .in_first, .in_last, .in_products(products), .out_valid, .out_acc
  );
endmodule
