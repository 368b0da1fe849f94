// A test variant of multithreshold (rtl/multithreshold.sv, the real unit
// with only its name and one line changed): its output valid register drops
// the clock enable and loads in every cycle, while the rest of the pipeline
// freezes with en = 0 as it should. The one-shot probe, which never stalls,
// measures the real latency; a stall while a code is one enabled cycle from
// leaving raises out_valid during the stall, and the co-simulation's
// per-beat timing check must stop the run (tests/cosim/test_cosim.cpp,
// CosimAdd).
module multithreshold_valid_noen #(
  parameter int N = 3,
  parameter int ACC_BITS = 8,
  parameter int ACC_SIGNED = 1,
  parameter int T_BITS = 9,
  parameter int OUT_BITS = 2,
  parameter int OUT_BIAS = 0,
  localparam int LATENCY = vine_rtl_timing_pkg::multithreshold_latency(N),
  localparam int II = vine_rtl_timing_pkg::multithreshold_ii()
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
  localparam int CB = vine_rtl_timing_pkg::range_bits(0, 1, N);  // count bits
  // Comparison width: both operands as two's complement numbers.
  localparam int XB = vine_rtl_timing_pkg::max_int(ACC_BITS + (ACC_SIGNED != 0 ? 0 : 1), T_BITS);

  if (LATENCY != 2 + STAGES || II != 1) begin : g_check
    $error("multithreshold: the pipeline below has latency 2 + tree_stages(N) and II 1");
  end

  logic signed [XB-1:0] acc;
  if (ACC_SIGNED != 0) begin : g_s
    assign acc = XB'($signed(in_acc));
  end else begin : g_u
    assign acc = XB'($signed({1'b0, in_acc}));
  end

  // Stage 1: comparisons.
  logic [N-1:0] ge_d, ge_q;
  for (genvar i = 0; i < N; i++) begin : g_cmp
    assign ge_d[i] = acc >= XB'($signed(in_thresholds[i*T_BITS +: T_BITS]));
  end
  logic valid_q;
  always_ff @(posedge clk) if (en) ge_q <= ge_d;
  always_ff @(posedge clk) begin
    if (rst) valid_q <= 1'b0;
    else if (en) valid_q <= in_valid;
  end

  // Popcount.
  logic [CB-1:0] count;
  logic valid_count;
  vine_adder_tree #(.N(N), .PMIN(0), .PMAX(1)) u_tree (.clk, .en, .in_terms(ge_q), .out_sum(count));
  vine_delay #(.WIDTH(1), .DEPTH(STAGES)) u_valid (.clk, .rst, .en, .d(valid_q), .q(valid_count));

  // Output register: count + bias.
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else out_valid <= valid_count;  // the mutation: no `en`
  end
  always_ff @(posedge clk) if (en) out_y <= OUT_BITS'(32'(count) + OUT_BIAS);
endmodule
