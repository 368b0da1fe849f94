// A test variant of ovsf_generator with one more register stage on its
// output: its latency is LATENCY + 1 while vine_rtl_timing_pkg (and so the
// compute engine's model) still says LATENCY. The engine's co-simulation
// must stop at the first group, naming its cycle and the model's.
module ovsf_generator_plus1 #(
  parameter int L = 16,
  parameter int KEPT = 4,
  parameter int COEFF_BITS = 8,
  parameter int LANES = 4,
  parameter int OUT_BITS = 8,
  localparam int IW = vine_rtl_timing_pkg::clog2(L),
  localparam int GW = vine_rtl_timing_pkg::max_int(1, IW - vine_rtl_timing_pkg::clog2(LANES))
) (
  input  logic                      clk,
  input  logic                      rst,
  input  logic                      en,
  input  logic                      in_valid,
  input  logic [KEPT*COEFF_BITS-1:0] in_coeffs,
  input  logic [KEPT*IW-1:0]        in_codes,
  input  logic [GW-1:0]             in_group,
  output logic                      out_valid,
  output logic [LANES*OUT_BITS-1:0] out_weights
);
  logic valid_q;
  logic [LANES*OUT_BITS-1:0] weights_q;
  ovsf_generator #(.L(L), .KEPT(KEPT), .COEFF_BITS(COEFF_BITS), .LANES(LANES), .OUT_BITS(OUT_BITS)) u_gen (
    .clk, .rst, .en, .in_valid, .in_coeffs, .in_codes, .in_group, .out_valid(valid_q), .out_weights(weights_q)
  );
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 1'b0;
    else if (en) out_valid <= valid_q;
  end
  always_ff @(posedge clk) if (en) out_weights <= weights_q;
endmodule
