// MVAU lanes, binary weights (code 1 = +1, code 0 = -1):
//  - BIPOLAR = 1 (FINN / BNN-PYNQ, A = 1): activations are bipolar bits too
//    (0 = -1, 1 = +1) and a lane is an XNOR: the PE counts agreements
//    (popcount), so out_acc = (dot + MW) / 2 summed over the folds, unsigned,
//    and thresholds are set on that count (arith::lane_product).
//  - BIPOLAR = 0: A-bit activations (signed when A_SIGNED = 1), a lane adds +a
//    or -a; out_acc is two's complement.
// Adder tree (a popcount when bipolar) and fold accumulator as in
// mvau_lanes_fixed. Lane i uses in_weights[i] and in_acts[i*A +: A].
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module mvau_lanes_binary #(
  parameter int SIMD = 4,
  parameter int A = 1,
  parameter int A_SIGNED = 0,
  parameter int BIPOLAR = 1,
  parameter int MW = SIMD,  // products per output, SIMD * SF: sets ACC_BITS
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_binary_acc_bits(A, A_SIGNED, BIPOLAR, MW),
  localparam int LATENCY = vine_rtl_timing_pkg::mvau_lanes_binary_latency(SIMD),
  localparam int II = vine_rtl_timing_pkg::mvau_lanes_binary_ii()
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SIMD-1:0]     in_weights,
  input  logic [SIMD*A-1:0]   in_acts,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  localparam longint PMIN = vine_rtl_timing_pkg::sign_lane_min(A, A_SIGNED, BIPOLAR);
  localparam longint PMAX = vine_rtl_timing_pkg::sign_lane_max(A, A_SIGNED, BIPOLAR);
  localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1);

  if (LATENCY != 2 + vine_rtl_timing_pkg::tree_stages(SIMD) || II != 1 || (BIPOLAR != 0 && A != 1))
  begin : g_check
    $error("mvau_lanes_binary: bipolar needs A = 1; the pipeline below has latency 2 + tree_stages(SIMD), II 1");
  end

  logic [SIMD*PB-1:0] products;
  if (BIPOLAR != 0) begin : g_xnor
    // Lane i's XNOR is bit i (PB = A = 1): one vector expression, the same
    // gates as one per lane, which Verilator evaluates as one word
    // operation instead of SIMD bit extractions.
    assign products = ~(in_weights ^ in_acts);
  end else begin : g_sign
    for (genvar i = 0; i < SIMD; i++) begin : g_lane
      logic signed [PB-1:0] a;
      if (A_SIGNED != 0) begin : g_s
        assign a = PB'($signed(in_acts[i*A +: A]));
      end else begin : g_u
        assign a = PB'($signed({1'b0, in_acts[i*A +: A]}));
      end
      assign products[i*PB +: PB] = in_weights[i] ? a : -a;
    end
  end

  vine_lanes_reduce #(.SIMD(SIMD), .PMIN(PMIN), .PMAX(PMAX), .ACC_BITS(ACC_BITS)) u_reduce (
    .clk, .rst, .en, .in_valid, .in_first, .in_last, .in_products(products), .out_valid, .out_acc
  );
endmodule
