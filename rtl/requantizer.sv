// Multiplier-shift requantiser, exactly arith::requantize with
// Rounding::kHalfUp for shifts 0 .. 2^S_BITS - 1:
//   y = clamp(floor((acc * M + 2^(shift-1)) / 2^shift) + zero_point, lo, hi)
// (no rounding term when shift = 0). A left shift (the reference's shift < 0)
// is a multiplier M * 2^k and needs no hardware of its own.
// M is two's complement (M_BITS), shift unsigned (S_BITS), zero point two's
// complement (ZP_BITS); lo, hi and out_y are OUT_BITS wide, two's complement
// when OUT_SIGNED = 1, and lo <= hi is expected. All are inputs so that
// per-channel scales can come from a parameter memory; constant inputs cost no
// logic after synthesis.
// Protocol and timing: rtl/README.md; LATENCY and II: vine_rtl_timing_pkg.
module requantizer #(
  parameter int ACC_BITS = 16,
  parameter int ACC_SIGNED = 1,
  parameter int M_BITS = 16,
  parameter int S_BITS = 5,
  parameter int ZP_BITS = 8,
  parameter int OUT_BITS = 8,
  parameter int OUT_SIGNED = 0,
  localparam int LATENCY = vine_rtl_timing_pkg::requantizer_latency(),
  localparam int II = vine_rtl_timing_pkg::requantizer_ii()
) (
  input  logic                clk,
  input  logic                rst,
  input  logic                en,
  input  logic                in_valid,
  input  logic [ACC_BITS-1:0] in_acc,
  input  logic [M_BITS-1:0]   in_multiplier,
  input  logic [S_BITS-1:0]   in_shift,
  input  logic [ZP_BITS-1:0]  in_zero_point,
  input  logic [OUT_BITS-1:0] in_lo,
  input  logic [OUT_BITS-1:0] in_hi,
  output logic                out_valid,
  output logic [OUT_BITS-1:0] out_y
);
  localparam int AB = ACC_BITS + (ACC_SIGNED != 0 ? 0 : 1);  // acc as two's complement
  localparam int PB = AB + M_BITS;                            // exact product
  localparam int MAX_SHIFT = (1 << S_BITS) - 1;
  // p + 2^(shift-1) without overflow, for every shift.
  localparam int RB = vine_rtl_timing_pkg::max_int(PB, MAX_SHIFT + 1) + 1;
  localparam int YB = vine_rtl_timing_pkg::max_int(RB, vine_rtl_timing_pkg::max_int(ZP_BITS, OUT_BITS + 1)) + 1;

  if (LATENCY != 3 || II != 1) begin : g_check
    $error("requantizer: the pipeline below has latency 3 and II 1");
  end

  logic signed [PB-1:0] acc_x, m_x;
  if (ACC_SIGNED != 0) begin : g_as
    assign acc_x = PB'($signed(in_acc));
  end else begin : g_au
    assign acc_x = PB'($signed({1'b0, in_acc}));
  end
  assign m_x = PB'($signed(in_multiplier));

  logic signed [YB-1:0] lo_x, hi_x;
  if (OUT_SIGNED != 0) begin : g_os
    assign lo_x = YB'($signed(in_lo));
    assign hi_x = YB'($signed(in_hi));
  end else begin : g_ou
    assign lo_x = YB'($signed({1'b0, in_lo}));
    assign hi_x = YB'($signed({1'b0, in_hi}));
  end

  // Stage 1: the product (a DSP's M register).
  logic signed [PB-1:0] p_q;
  logic [S_BITS-1:0] shift_q;
  logic signed [YB-1:0] zp_q, lo_q, hi_q, lo_q2, hi_q2;
  always_ff @(posedge clk) begin
    if (en) begin
      p_q <= acc_x * m_x;
      shift_q <= in_shift;
      zp_q <= YB'($signed(in_zero_point));
      lo_q <= lo_x;
      hi_q <= hi_x;
    end
  end

  // Stage 2: round half up, arithmetic shift, zero point.
  logic signed [RB-1:0] half, rounded;
  assign half = shift_q == '0 ? '0 : RB'(1) << (shift_q - 1'b1);
  assign rounded = (RB'(p_q) + half) >>> shift_q;
  logic signed [YB-1:0] y_q;
  always_ff @(posedge clk) begin
    if (en) begin
      y_q <= YB'(rounded) + zp_q;
      lo_q2 <= lo_q;
      hi_q2 <= hi_q;
    end
  end

  // Stage 3: clamp; the clamped value lies in [lo, hi], so OUT_BITS hold it.
  always_ff @(posedge clk) begin
    if (en) out_y <= OUT_BITS'(y_q < lo_q2 ? lo_q2 : y_q > hi_q2 ? hi_q2 : y_q);
  end

  logic [2:0] valid_q;
  always_ff @(posedge clk) begin
    if (rst) valid_q <= '0;
    else if (en) valid_q <= {valid_q[1:0], in_valid};
  end
  assign out_valid = valid_q[2];
endmodule
