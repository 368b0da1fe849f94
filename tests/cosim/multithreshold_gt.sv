// A test variant of multithreshold whose comparisons are off by one: a
// threshold counts when the accumulator is strictly above it (acc > T, where
// FINN's MultiThreshold and the real unit count acc >= T). Its pipeline and
// timing are the real unit's, so the probe and the beat check pass; the code
// differs wherever an accumulator equals one of its channel's thresholds,
// and the co-simulation's per-beat comparison with the C++ output unit must
// stop the run there.
module multithreshold_gt #(
  parameter int N = 3,
  parameter int ACC_BITS = 8,
  parameter int ACC_SIGNED = 1,
  parameter int T_BITS = 9,
  parameter int OUT_BITS = 2,
  parameter int OUT_BIAS = 0
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic [ACC_BITS-1:0] in_acc,
  input  logic [N*T_BITS-1:0] in_thresholds,
  output logic                out_valid,
  output logic [OUT_BITS-1:0] out_y
);
  localparam int STAGES = vine_rtl_timing_pkg::tree_stages(N);
  localparam int CB = vine_rtl_timing_pkg::range_bits(0, 1, N);
  localparam int XB = vine_rtl_timing_pkg::max_int(ACC_BITS + (ACC_SIGNED != 0 ? 0 : 1), T_BITS);

  logic signed [XB-1:0] acc;
  if (ACC_SIGNED != 0) begin : g_s
    assign acc = XB'($signed(in_acc));
  end else begin : g_u
    assign acc = XB'($signed({1'b0, in_acc}));
  end

  // The variant's one difference: > where the real unit has >=.
  logic [N-1:0] ge_d, ge_q;
  for (genvar i = 0; i < N; i++) begin : g_cmp
    assign ge_d[i] = acc > XB'($signed(in_thresholds[i*T_BITS +: T_BITS]));
  end
  logic valid_q;
  always_ff @(posedge clk) if (en) ge_q <= ge_d;
  always_ff @(posedge clk) begin
    if (rst) valid_q <= 1'b0;
    else if (en) valid_q <= in_valid;
  end

  logic [CB-1:0] count;
  logic valid_count;
  vine_adder_tree #(.N(N), .PMIN(0), .PMAX(1)) u_tree (.clk, .en, .in_terms(ge_q), .out_sum(count));
  vine_delay #(.WIDTH(1), .DEPTH(STAGES)) u_valid (.clk, .rst, .en, .d(valid_q), .q(valid_count));

  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (en) out_valid <= valid_count;
  end
  always_ff @(posedge clk) if (en) out_y <= OUT_BITS'(32'(count) + OUT_BIAS);
endmodule
