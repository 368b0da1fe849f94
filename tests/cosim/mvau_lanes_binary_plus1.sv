// A test variant of mvau_lanes_binary with one more register stage on its
// output: its latency is LATENCY + 1 while vine_rtl_timing_pkg (and so the C++
// back-end) still says LATENCY. The co-simulation regression must notice.
module mvau_lanes_binary_plus1 #(
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
  logic valid_q;
  logic [ACC_BITS-1:0] acc_q;
  mvau_lanes_binary #(.SIMD(SIMD), .A(A), .A_SIGNED(A_SIGNED), .BIPOLAR(BIPOLAR), .MW(MW)) u_lanes (
    .clk, .rst, .en, .in_valid, .in_first, .in_last, .in_weights, .in_acts, .out_valid(valid_q), .out_acc(acc_q)
  );
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (en) out_valid <= valid_q;
  end
  always_ff @(posedge clk) if (en) out_acc <= acc_q;
endmodule
