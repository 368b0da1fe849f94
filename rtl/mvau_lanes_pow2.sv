// MVAU lanes, powers of two (Tomato's shift weights): each weight code is
// E+2 bits [zero flag | sign | exponent e (E bits)] exactly as
// arith::weight_value(kPow2): value 0 when the zero flag is set, else
// (sign ? -1 : +1) * 2^e. A lane shifts its activation left by e and negates
// it conditionally (no multiplier); adder tree and fold accumulator as in
// mvau_lanes_fixed. Tomato's per-layer exponent bias is a scale on the whole
// accumulator and lives in the thresholds / requantiser, not here.
// Lane i uses in_weights[i*(E+2) +: E+2] and in_acts[i*A +: A].
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module mvau_lanes_pow2 #(
  parameter int SIMD = 4,
  parameter int E = 3,  // exponent bits: shifts 0 .. 2^E - 1
  parameter int A = 4,
  parameter int A_SIGNED = 0,
  parameter int MW = SIMD,  // products per output, SIMD * SF: sets ACC_BITS
  localparam int WC = E + 2,  // weight code bits
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_pow2_acc_bits(E, A, A_SIGNED, MW),
  localparam int LATENCY = vine_rtl_timing_pkg::mvau_lanes_pow2_latency(SIMD),
  localparam int II = vine_rtl_timing_pkg::mvau_lanes_pow2_ii()
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SIMD*WC-1:0]  in_weights,
  input  logic [SIMD*A-1:0]   in_acts,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  localparam longint PMIN = vine_rtl_timing_pkg::pow2_lane_min(E, A, A_SIGNED);
  localparam longint PMAX = vine_rtl_timing_pkg::pow2_lane_max(E, A, A_SIGNED);
  localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1);

  if (LATENCY != 2 + vine_rtl_timing_pkg::tree_stages(SIMD) || II != 1 || E < 1) begin : g_check
    $error("mvau_lanes_pow2: needs E >= 1; the pipeline below has latency 2 + tree_stages(SIMD), II 1");
  end

  logic [SIMD*PB-1:0] products;
  for (genvar i = 0; i < SIMD; i++) begin : g_lane
    logic [WC-1:0] code;
    logic signed [PB-1:0] a, shifted;
    assign code = in_weights[i*WC +: WC];
    if (A_SIGNED != 0) begin : g_s
      assign a = PB'($signed(in_acts[i*A +: A]));
    end else begin : g_u
      assign a = PB'($signed({1'b0, in_acts[i*A +: A]}));
    end
    // Exact in PB bits: +-a * 2^e lies in [PMIN, PMAX] for every e < 2^E.
    assign shifted = a <<< code[E-1:0];
    assign products[i*PB +: PB] = code[E+1] ? '0 : code[E] ? -shifted : shifted;
  end

  vine_lanes_reduce #(.SIMD(SIMD), .PMIN(PMIN), .PMAX(PMAX), .ACC_BITS(ACC_BITS)) u_reduce (
    .clk, .rst, .en, .in_valid, .in_first, .in_last, .in_products(products), .out_valid, .out_acc
  );
endmodule
