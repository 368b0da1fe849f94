// A test variant of mvau_lanes_bitserial (rtl/mvau_lanes_bitserial.sv, the
// real unit with only its name and one line changed): its output valid
// register drops the clock enable and loads in every cycle, while the rest
// of the pipeline freezes with en = 0 as it should. With en held high it is
// the real unit cycle for cycle, so the one-shot latency probe measures the
// real latency; a stall with a row's last weight bit one step before the
// output raises out_valid during the stall, and the co-simulation's per-beat
// timing check must stop the run (tests/cosim/test_cosim.cpp, CosimBitSerial).
module mvau_lanes_bitserial_valid_noen #(
  parameter int SIMD = 4,
  parameter int W_MAX = 8,
  parameter int A = 4,
  parameter int A_SIGNED = 0,
  parameter int MW = SIMD,  // products per output, SIMD * SF: sets ACC_BITS
  localparam int WB = vine_rtl_timing_pkg::clog2(W_MAX + 1),  // in_wbits width
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_bitserial_acc_bits(W_MAX, A, A_SIGNED, MW),
  // Per beat: LATENCY = mvau_lanes_bitserial_latency(SIMD, w), II = w.
  localparam int LATENCY_MAX = vine_rtl_timing_pkg::mvau_lanes_bitserial_latency(SIMD, W_MAX),
  localparam int II_MAX = vine_rtl_timing_pkg::mvau_lanes_bitserial_ii(W_MAX)
) (
  input  logic                 clk,
  input  logic                 rst,
  input  logic                 en,
  input  logic                 in_valid,
  output logic                 in_ready,
  input  logic                 in_first,
  input  logic                 in_last,
  input  logic [WB-1:0]        in_wbits,
  input  logic [SIMD*W_MAX-1:0] in_weights,
  input  logic [SIMD*A-1:0]    in_acts,
  output logic                 out_valid,
  output logic [ACC_BITS-1:0]  out_acc
);
  localparam int STAGES = vine_rtl_timing_pkg::tree_stages(SIMD);
  // One cycle's partial sums: lanes contribute 0 or a.
  localparam longint BMIN = vine_rtl_timing_pkg::act_min(A, A_SIGNED);
  localparam longint BMAX = vine_rtl_timing_pkg::act_max(A, A_SIGNED);
  localparam int BB = vine_rtl_timing_pkg::range_bits(BMIN, BMAX, 1);
  localparam int TB = vine_rtl_timing_pkg::range_bits(BMIN, BMAX, SIMD);
  // The Horner value: a fold's dot product with weights of at most W_MAX bits.
  localparam int SB = vine_rtl_timing_pkg::range_bits(
      vine_rtl_timing_pkg::fixed_lane_min(W_MAX, A, A_SIGNED),
      vine_rtl_timing_pkg::fixed_lane_max(W_MAX, A, A_SIGNED), SIMD);
  localparam int CB = W_MAX > 1 ? vine_rtl_timing_pkg::clog2(W_MAX) : 1;  // bit index

  if (LATENCY_MAX != W_MAX + 2 + STAGES || II_MAX != W_MAX || SB > ACC_BITS) begin : g_check
    $error("mvau_lanes_bitserial: needs MW >= SIMD; the pipeline below has latency w + 2 + tree_stages(SIMD), II w");
  end

  // Beat register: the beat being serialised; bit = index of the weight bit
  // processed this cycle, counting down from w - 1 (MSB) to 0.
  logic busy, msb_q, first_q, last_q;
  logic [CB-1:0] bit_q;
  logic [SIMD*W_MAX-1:0] w_q;
  logic [SIMD*A-1:0] a_q;
  logic last_bit, accept;
  assign last_bit = bit_q == '0;
  assign in_ready = !busy || last_bit;
  assign accept = en && in_valid && in_ready;

  always_ff @(posedge clk) begin
    if (rst) busy <= 1'b0;
    else if (en) busy <= accept || (busy && !last_bit);
  end
  always_ff @(posedge clk) begin
    if (accept) begin
      bit_q <= CB'(in_wbits - 1'b1);
      msb_q <= 1'b1;
      first_q <= in_first;
      last_q <= in_last;
      w_q <= in_weights;
      a_q <= in_acts;
    end else if (en && busy) begin
      bit_q <= bit_q - 1'b1;
      msb_q <= 1'b0;
    end
  end

  // Stage 1 of each bit: lane partials (weight bit ? a : 0), registered.
  logic [SIMD*BB-1:0] part_d, part_q;
  for (genvar i = 0; i < SIMD; i++) begin : g_lane
    logic [W_MAX-1:0] wl;
    assign wl = w_q[i*W_MAX +: W_MAX];
    assign part_d[i*BB +: BB] = wl[bit_q] ? a_q[i*A +: A] : '0;
  end
  logic [3:0] ctl_q, ctl_sum;  // {valid, msb, last bit, first} of the bit
  logic last_q2, last_sum;     // `last` of the beat
  always_ff @(posedge clk) if (en) part_q <= part_d;
  always_ff @(posedge clk) begin
    if (rst) ctl_q <= '0;
    else if (en) ctl_q <= {busy, msb_q, last_bit, first_q};
  end
  always_ff @(posedge clk) if (en) last_q2 <= last_q;

  // Adder tree over the lanes.
  logic [TB-1:0] tree_sum;
  vine_adder_tree #(.N(SIMD), .PMIN(BMIN), .PMAX(BMAX)) u_tree (
    .clk, .en, .in_terms(part_q), .out_sum(tree_sum)
  );
  vine_delay #(.WIDTH(4), .DEPTH(STAGES)) u_ctl (.clk, .rst, .en, .d(ctl_q), .q(ctl_sum));
  vine_delay #(.WIDTH(1), .DEPTH(STAGES)) u_last (.clk, .rst, .en, .d(last_q2), .q(last_sum));

  // Horner step and fold accumulator. Every operation here is exact modulo
  // 2^SB and the dot product of each prefix of weight bits lies in SB bits,
  // so the wrap-around of intermediate values never shows.
  logic [SB-1:0] t, s_q, s_next;
  if (A_SIGNED != 0) begin : g_s
    assign t = SB'($signed(tree_sum));
  end else begin : g_u
    assign t = SB'(tree_sum);
  end
  assign s_next = ctl_sum[2] ? -t : (s_q << 1) + t;

  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else out_valid <= ctl_sum[3] && ctl_sum[1] && last_sum;  // the mutation: no `en`
  end
  always_ff @(posedge clk) begin
    if (en && ctl_sum[3]) begin
      if (ctl_sum[1]) out_acc <= (ctl_sum[0] ? '0 : out_acc) + ACC_BITS'($signed(s_next));
      else s_q <= s_next;
    end
  end
endmodule
