// A test variant of mvau_lanes_binary (XNOR-popcount, BIPOLAR = 1, A = 1)
// whose output valid register drops the clock enable: it loads in every
// cycle, while the rest of the pipeline (the accumulator's data included)
// freezes with en = 0 as it should. With en held high it is the real unit
// cycle for cycle, so the one-shot latency probe measures the real LATENCY.
// When the stage stalls with a row's last fold one step before the output,
// out_valid rises during the stall: the result leaves a pipeline advance
// early (with the previous row's accumulator), and the co-simulation's
// per-beat timing check must stop the run.
module mvau_lanes_binary_valid_noen #(
  parameter int SIMD = 4,
  parameter int A = 1,
  parameter int A_SIGNED = 0,
  parameter int BIPOLAR = 1,
  parameter int MW = SIMD,
  localparam int ACC_BITS = vine_rtl_timing_pkg::mvau_lanes_binary_acc_bits(A, A_SIGNED, BIPOLAR, MW)
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
  localparam int SUM_BITS = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, SIMD);
  localparam int STAGES = vine_rtl_timing_pkg::tree_stages(SIMD);

  if (BIPOLAR != 1 || A != 1) begin : g_check
    $error("mvau_lanes_binary_valid_noen: XNOR lanes only (BIPOLAR = 1, A = 1)");
  end

  // As in mvau_lanes_binary / vine_lanes_reduce: XNOR lanes, stage 1, adder tree.
  logic [SIMD-1:0] prod_q;
  logic [2:0] ctl_q;  // {valid, first, last}
  always_ff @(posedge clk) if (en) prod_q <= ~(in_weights ^ in_acts);
  always_ff @(posedge clk) begin
    if (rst) ctl_q <= '0;
    else if (en) ctl_q <= {in_valid, in_first, in_last};
  end
  logic [SUM_BITS-1:0] sum;
  logic [2:0] ctl_sum;
  vine_adder_tree #(.N(SIMD), .PMIN(PMIN), .PMAX(PMAX)) u_tree (.clk, .en, .in_terms(prod_q), .out_sum(sum));
  vine_delay #(.WIDTH(3), .DEPTH(STAGES)) u_ctl (.clk, .rst, .en, .d(ctl_q), .q(ctl_sum));

  // The fold accumulator, its valid register without the enable: the variant's one difference.
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else out_valid <= ctl_sum[2] & ctl_sum[0];
  end
  always_ff @(posedge clk) begin
    if (en && ctl_sum[2]) out_acc <= (ctl_sum[1] ? '0 : out_acc) + ACC_BITS'(sum);
  end
endmodule
