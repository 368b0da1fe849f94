// A test variant of ovsf_generator with one wrong chip sign: the highest
// kept code's index reaches the real generator with its low bit flipped, so
// that code's chips are those of its neighbour in the OVSF tree (equal in
// the first half of the code, opposite in the second) and its coefficient
// enters with the wrong sign wherever they differ. The timing is the real
// unit's; the engine's co-simulation must stop at the first group whose
// value differs, naming the weight and both values.
module ovsf_generator_sign #(
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
  logic [KEPT*IW-1:0] codes;
  assign codes = in_codes ^ ((KEPT*IW)'(1) << ((KEPT - 1) * IW));
  ovsf_generator #(.L(L), .KEPT(KEPT), .COEFF_BITS(COEFF_BITS), .LANES(LANES), .OUT_BITS(OUT_BITS)) u_gen (
    .clk, .rst, .en, .in_valid, .in_coeffs, .in_codes(codes), .in_group, .out_valid, .out_weights
  );
endmodule
