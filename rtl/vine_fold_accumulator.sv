// The MVAU's per-PE accumulator over the SF synapse folds of one output:
// acc = (first ? 0 : acc) + sum on every valid beat; out_valid marks the beat
// that carried `last`, whose total is then on out_acc. The accumulator
// register is the output register (one pipeline stage). ACC_BITS comes from
// FINN-R's bound for MW terms, so the running sum never overflows as long as
// at most MW lane products are accumulated between `first` and `last`.
module vine_fold_accumulator #(
  parameter int SUM_BITS = 8,
  parameter int ACC_BITS = 16,
  parameter int SIGNED = 1
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic                in_first,
  input  logic                in_last,
  input  logic [SUM_BITS-1:0] in_sum,
  output logic                out_valid,
  output logic [ACC_BITS-1:0] out_acc
);
  logic [ACC_BITS-1:0] sum_ext;
  if (SIGNED != 0) begin : g_s
    assign sum_ext = ACC_BITS'($signed(in_sum));
  end else begin : g_u
    assign sum_ext = ACC_BITS'(in_sum);
  end

  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (en) out_valid <= in_valid & in_last;
  end

  always_ff @(posedge clk) begin
    if (en && in_valid) out_acc <= (in_first ? '0 : out_acc) + sum_ext;
  end
endmodule
