// OVSF weights generator (unzipFPGA-style on-the-fly weights): LANES weights
// per cycle of one filter expressed as a sum of KEPT OVSF codes of length L,
//   w[j] = sat_OUT_BITS( sum_m chip(in_codes[m], j) * in_coeffs[m] ),
// j = in_group * LANES + lane, chip(k, j) = (-1)^popcount(bitrev_r(k) & j),
// r = log2(L): code k is row k of the OVSF tree (C_2N(2k) = [C_N(k) C_N(k)],
// C_2N(2k+1) = [C_N(k) -C_N(k)]), i.e. row bitrev_r(k) of the natural-order
// Sylvester-Hadamard matrix. Multipliers are not needed: a chip is +-1, so
// each lane is an add/sub tree over the KEPT coefficients.
//
// Coefficients are COEFF_BITS-bit two's complement (slot m in
// in_coeffs[m*COEFF_BITS +: COEFF_BITS]), code indices r bits (slot m in
// in_codes[m*IW +: IW]); a layer with fewer kept codes than KEPT sets the
// spare coefficients to 0. The exact sum is SUM_BITS wide
// (ovsf_generator_sum_bits); out_weights holds it sign-extended when
// OUT_BITS >= SUM_BITS, otherwise saturated to [-2^(OUT_BITS-1),
// 2^(OUT_BITS-1) - 1] (golden::ovsf_weight). Lane i of the output is
// out_weights[i*OUT_BITS +: OUT_BITS]. in_group selects the group of LANES
// positions (0 .. L/LANES - 1; ignored when LANES = L); the enclosing
// controller steps it over a filter's ceil(filter_len / LANES) groups and
// drops the padded positions j >= filter_len.
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module ovsf_generator #(
  parameter int L = 16,           // code length, a power of two >= 2
  parameter int KEPT = 4,         // coefficient slots (kept codes) per filter
  parameter int COEFF_BITS = 8,
  parameter int LANES = 4,        // weights per cycle, a power of two <= L
  parameter int OUT_BITS = 8,     // the layer's weight width
  localparam int R = vine_rtl_timing_pkg::clog2(L),
  localparam int IW = R,                                             // code index width
  localparam int GW = vine_rtl_timing_pkg::max_int(1, R - vine_rtl_timing_pkg::clog2(LANES)),
  localparam int SUM_BITS = vine_rtl_timing_pkg::ovsf_generator_sum_bits(COEFF_BITS, KEPT),
  localparam int LATENCY = vine_rtl_timing_pkg::ovsf_generator_latency(KEPT),
  localparam int II = vine_rtl_timing_pkg::ovsf_generator_ii()
) (
  input  logic                     clk,
  input  logic                     rst,
  input  logic                     en,
  input  logic                     in_valid,
  input  logic [KEPT*COEFF_BITS-1:0] in_coeffs,
  input  logic [KEPT*IW-1:0]       in_codes,
  input  logic [GW-1:0]            in_group,
  output logic                     out_valid,
  output logic [LANES*OUT_BITS-1:0] out_weights
);
  localparam int LB = vine_rtl_timing_pkg::clog2(LANES);
  // A term +-c lies in [-2^(COEFF_BITS-1), 2^(COEFF_BITS-1)].
  localparam longint TMAX = vine_rtl_timing_pkg::pow2(COEFF_BITS - 1);

  if (L < 2 || (1 << R) != L || LANES < 1 || (1 << LB) != LANES || LANES > L || KEPT < 1 ||
      COEFF_BITS < 1 || OUT_BITS < 1) begin : g_bad_params
    $error("ovsf_generator: needs L a power of two >= 2, LANES a power of two <= L, KEPT, COEFF_BITS, OUT_BITS >= 1");
  end
  if (LATENCY != 2 + vine_rtl_timing_pkg::tree_stages(KEPT) || II != 1 ||
      SUM_BITS != vine_rtl_timing_pkg::range_bits(-TMAX, TMAX, KEPT)) begin : g_check
    $error("ovsf_generator: the pipeline below has latency 2 + tree_stages(KEPT), II 1, SUM_BITS for KEPT terms");
  end

  // The high r - log2(LANES) bits of the position j = group * LANES + lane.
  logic [R-1:0] group_base;
  if (LB == R) begin : g_one_group
    assign group_base = '0;
    logic unused;
    assign unused = &{1'b0, in_group};
  end else begin : g_groups
    assign group_base = {in_group[R-LB-1:0], {LB{1'b0}}};
    if (GW > R - LB) begin : g_unused
      logic unused;
      assign unused = &{1'b0, in_group[GW-1:R-LB]};
    end
  end

  // Stage 1: the coefficients (shared by all lanes) and every lane's chip
  // signs. The chip of code k at position j is the parity of bitrev(k) & j;
  // bit reversal is wiring, and the lane's low log2(LANES) position bits are
  // constants, so a sign is an AND-XOR of the code bits with the group bits.
  logic [KEPT*COEFF_BITS-1:0] coeffs_q;
  logic [LANES*KEPT-1:0] negated_q;
  always_ff @(posedge clk) begin
    if (en) coeffs_q <= in_coeffs;
  end
  for (genvar p = 0; p < LANES; p++) begin : g_lane
    for (genvar m = 0; m < KEPT; m++) begin : g_sign
      logic [R-1:0] code, code_rev, pos;
      assign code = in_codes[m*IW +: IW];
      for (genvar b = 0; b < R; b++) begin : g_rev
        assign code_rev[b] = code[R-1-b];
      end
      assign pos = group_base | R'(p);
      always_ff @(posedge clk) begin
        if (en) negated_q[p*KEPT+m] <= ^(code_rev & pos);
      end
    end
  end

  // A negated term -c enters the tree as ~c = -c - 1 (the inversion merges
  // into the first adder level's LUTs); the lane's count of negated terms,
  // added in the last stage, supplies the + 1s: no carry chain per term.
  logic [LANES*KEPT*COEFF_BITS-1:0] terms;
  for (genvar p = 0; p < LANES; p++) begin : g_terms
    for (genvar m = 0; m < KEPT; m++) begin : g_term
      assign terms[(p*KEPT+m)*COEFF_BITS +: COEFF_BITS] =
          coeffs_q[m*COEFF_BITS +: COEFF_BITS] ^ {COEFF_BITS{negated_q[p*KEPT+m]}};
    end
  end

  // Stages 2 .. 1 + tree_stages(KEPT): per lane, the tree of the (possibly
  // inverted) coefficients and the popcount of the negated terms.
  localparam longint CMIN = -TMAX, CMAX = TMAX - 1;
  localparam int XB = vine_rtl_timing_pkg::range_bits(CMIN, CMAX, KEPT);
  localparam int NB = vine_rtl_timing_pkg::range_bits(0, 1, KEPT);
  logic [LANES*XB-1:0] xsums;
  logic [LANES*NB-1:0] counts;
  for (genvar p = 0; p < LANES; p++) begin : g_tree
    vine_adder_tree #(.N(KEPT), .PMIN(CMIN), .PMAX(CMAX)) u_tree (
      .clk, .en, .in_terms(terms[p*KEPT*COEFF_BITS +: KEPT*COEFF_BITS]), .out_sum(xsums[p*XB +: XB])
    );
    vine_adder_tree #(.N(KEPT), .PMIN(0), .PMAX(1)) u_count (
      .clk, .en, .in_terms(negated_q[p*KEPT +: KEPT]), .out_sum(counts[p*NB +: NB])
    );
  end

  // Last stage: sum = tree + count, then the weight width: sign extension
  // when it holds the exact sum, saturation otherwise.
  for (genvar p = 0; p < LANES; p++) begin : g_out
    logic signed [SUM_BITS-1:0] s;
    logic [OUT_BITS-1:0] w;
    assign s = SUM_BITS'($signed(xsums[p*XB +: XB])) + SUM_BITS'($signed({1'b0, counts[p*NB +: NB]}));
    if (OUT_BITS >= SUM_BITS) begin : g_extend
      assign w = OUT_BITS'(s);
    end else begin : g_saturate
      localparam logic signed [SUM_BITS-1:0] WMAX = SUM_BITS'(vine_rtl_timing_pkg::pow2(OUT_BITS - 1) - 1);
      localparam logic signed [SUM_BITS-1:0] WMIN = SUM_BITS'(-vine_rtl_timing_pkg::pow2(OUT_BITS - 1));
      assign w = s > WMAX ? OUT_BITS'(WMAX) : s < WMIN ? OUT_BITS'(WMIN) : OUT_BITS'(s);
    end
    always_ff @(posedge clk) begin
      if (en) out_weights[p*OUT_BITS +: OUT_BITS] <= w;
    end
  end

  vine_delay #(.WIDTH(1), .DEPTH(LATENCY)) u_valid (
    .clk, .rst, .en, .d(in_valid), .q(out_valid)
  );
endmodule
