// The back half shared by the fold-parallel MVAU lane units: register the SIMD
// lane products (1 stage), sum them in the pipelined adder tree
// (tree_stages(SIMD) stages), accumulate over folds (1 stage). Its latency is
// therefore 2 + tree_stages(SIMD), the value of mvau_lanes_*_latency().
module vine_lanes_reduce #(
  parameter int SIMD = 4,
  parameter longint PMIN = -64'sd8,
  parameter longint PMAX = 64'sd7,
  parameter int ACC_BITS = 16,
  localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1)
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SIMD*PB-1:0]  in_products,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  localparam int SUM_BITS = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, SIMD);
  localparam int STAGES = vine_rtl_timing_pkg::tree_stages(SIMD);

  if (SUM_BITS > ACC_BITS) begin : g_check
    $error("vine_lanes_reduce: ACC_BITS %0d cannot hold one fold's sum (%0d bits); MW < SIMD?",
           ACC_BITS, SUM_BITS);
  end

  // Stage 1: lane products.
  logic [SIMD*PB-1:0] prod_q;
  logic [2:0] ctl_q;  // {valid, first, last}
  always_ff @(posedge clk) if (en) prod_q <= in_products;
  always_ff @(posedge clk) begin
    if (rst) ctl_q <= '0;
    else if (en) ctl_q <= {in_valid, in_first, in_last};
  end

  // Stages 2 .. 1 + STAGES: adder tree, control bits alongside.
  logic [SUM_BITS-1:0] sum;
  logic [2:0] ctl_sum;
  vine_adder_tree #(.N(SIMD), .PMIN(PMIN), .PMAX(PMAX)) u_tree (
    .clk, .en, .in_terms(prod_q), .out_sum(sum)
  );
  vine_delay #(.WIDTH(3), .DEPTH(STAGES)) u_ctl (.clk, .rst, .en, .d(ctl_q), .q(ctl_sum));

  // Last stage: fold accumulator, which is the output register.
  vine_fold_accumulator #(.SUM_BITS(SUM_BITS), .ACC_BITS(ACC_BITS), .SIGNED(PMIN < 0 ? 1 : 0))
    u_acc (
      .clk, .rst, .en,
      .in_valid(ctl_sum[2]), .in_first(ctl_sum[1]), .in_last(ctl_sum[0]), .in_sum(sum),
      .out_valid, .out_acc
    );
endmodule
