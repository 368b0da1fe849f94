// DEPTH-stage shift register advancing on en, cleared by a synchronous reset:
// carries valid and side-band bits alongside a pipelined datapath.
module vine_delay #(
  parameter int WIDTH = 1,
  parameter int DEPTH = 1
) (
  input  logic             clk,
  input  logic             rst,
  input  logic             en,
  input  logic [WIDTH-1:0] d,
  output logic [WIDTH-1:0] q
);
  if (DEPTH == 0) begin : g_wire
    assign q = d;
    // rst and en only matter for DEPTH > 0.
    logic unused;
    assign unused = &{1'b0, clk, rst, en};
  end else begin : g_regs
`ifdef VERILATOR
    // The simulation form, which only the Verilated models use: the stages in
    // one vector, stage i at stages[i*WIDTH +: WIDTH], shifted as one word.
    // An array of stages is updated one element at a time in the Verilated
    // code, through a flag and a value per stage; the same registers as one
    // vector are one shift and one store a cycle. ctest rtl.tree_forms proves it equal,
    // stage by stage, to the array below (what synthesis reads).
    logic [DEPTH*WIDTH-1:0] stages;
    always_ff @(posedge clk) begin
      if (rst) stages <= '0;
      else if (en) stages <= (DEPTH*WIDTH)'({stages, d});
    end
    assign q = stages[(DEPTH-1)*WIDTH +: WIDTH];
`else
    logic [WIDTH-1:0] r [DEPTH];
    always_ff @(posedge clk) begin
      if (rst) begin
        for (int i = 0; i < DEPTH; i++) r[i] <= '0;
      end else if (en) begin
        r[0] <= d;
        for (int i = 1; i < DEPTH; i++) r[i] <= r[i-1];
      end
    end
    assign q = r[DEPTH-1];
`endif
  end
endmodule
