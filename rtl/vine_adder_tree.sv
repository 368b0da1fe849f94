// Pipelined adder tree: the sum of N terms whose values lie in [PMIN, PMAX].
//
// Level l (1 .. clog2(N)) adds pairs of level l-1 nodes; a node is exactly as
// wide as FINN-R's bound for the number of terms under it
// (range_bits(PMIN, PMAX, min(2^l, N))), so no adder is wider than it must be.
// A register follows every TREE_LEVELS_PER_STAGE-th level and the last level:
// tree_stages(N) register stages in all, none for N = 1 (the sum is the term).
// The values are two's complement when PMIN < 0 and unsigned otherwise.
// Data only: the enclosing unit delays its valid and side-band bits alongside
// (vine_delay with DEPTH = STAGES).
module vine_adder_tree #(
  parameter int N = 4,
  parameter longint PMIN = -64'sd8,
  parameter longint PMAX = 64'sd7,
  localparam int IN_BITS = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, 1),
  localparam int OUT_BITS = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, N)
) (
  input  logic                 clk,
  input  logic                 en,
  input  logic [N*IN_BITS-1:0] in_terms,
  output logic [OUT_BITS-1:0]  out_sum
);
  localparam int LEVELS = vine_rtl_timing_pkg::clog2(N);
  localparam int LPS = vine_rtl_timing_pkg::TREE_LEVELS_PER_STAGE;
  localparam bit SIGNED = PMIN < 0;

  // Where level l's nodes start in `node` below: the bits of the levels
  // before it (level k has ceil(N / 2^k) nodes of range_bits(.., min(2^k, N))
  // bits each).
  function automatic int level_base(input int l);
    int base;
    int span;
    base = 0;
    span = 1;
    for (int k = 0; k < l; k = k + 1) begin
      base = base + ((N + span - 1) / span) * vine_rtl_timing_pkg::range_bits(PMIN, PMAX, span < N ? span : N);
      span = span * 2;
    end
    level_base = base;
  endfunction
  localparam int NODE_BITS = level_base(LEVELS + 1);
  localparam int TOP_BASE = level_base(LEVELS);

  // Every level's nodes, packed level after level: one vector in the
  // module's own scope, which Verilator splits into one variable per node
  // (split_var; a vector per level inside the generate blocks would be read
  // through their scopes, which it cannot split), so that a node's adder
  // reads its two operands and writes its sum without extracting them from
  // and merging them into a level's vector. Synthesis sees the same adders
  // and flops.
  // (A tree of one term has a one-bit node, nothing to split: lint_off.)
  /* verilator lint_off SPLITVAR */
  logic [NODE_BITS-1:0] node /*verilator split_var*/;
  /* verilator lint_on SPLITVAR */

  // The simulation form of one-bit unsigned terms (XNOR popcounts, the
  // multi-threshold unit's comparisons), which only the Verilated models
  // use: every level as one word of fields (SWAR popcount), level l's node i
  // in the low bits of field i of 2^l bits, a level computed from the one
  // below with two masks, a shift and one add instead of one adder a node
  // (Verilator would extract every node's operands with a shift and a mask).
  // A registered level registers its whole word; every node of the tree,
  // the registered ones included, takes the value the tree below gives it
  // in every cycle (a node's sum is exact and fits its field, and a level
  // reads only its nodes' bits of the word below). Synthesis reads the tree
  // below, whose cells rtl/synth/units.csv counts; ctest rtl.tree_forms
  // proves the two forms' nodes, registers and outputs equal with Yosys.
`ifdef VERILATOR
  localparam bit FIELD_SUMS = IN_BITS == 1 && !SIGNED && LEVELS >= 1;
  localparam int FW = 1 << LEVELS;  // a field word: the terms, zero-padded

  // Level l's node bits in its field word, of the even nodes (ODD = 0) or
  // the odd ones shifted down to their even neighbours' fields (ODD = 1).
  function automatic logic [FW-1:0] node_bits(input int l, input int odd);
    logic [FW-1:0] m;
    int span;
    int nodes;
    int b;
    m = '0;
    span = 1 << l;
    nodes = (N + span - 1) / span;
    b = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, span < N ? span : N);
    for (int i = odd; i < nodes; i = i + 2) begin
      for (int k = 0; k < b; k = k + 1) m[(i - odd) * span + k] = 1'b1;
    end
    node_bits = m;
  endfunction

  if (FIELD_SUMS) begin : g_fields
    for (genvar l = 0; l <= LEVELS; l++) begin : fl
      localparam int SPAN = 1 << l;
      localparam int NODES = (N + SPAN - 1) / SPAN;
      localparam int B = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, SPAN < N ? SPAN : N);
      localparam int BASE = level_base(l);
      logic [FW-1:0] v;  // this level's fields
      if (l == 0) begin : g_terms
        assign v = FW'(in_terms);
      end else begin : g_sum
        localparam logic [FW-1:0] EVEN = node_bits(l - 1, 0);
        localparam logic [FW-1:0] ODD = node_bits(l - 1, 1);
        logic [FW-1:0] s;
        assign s = (fl[l-1].v & EVEN) + ((fl[l-1].v >> (SPAN / 2)) & ODD);
        if ((l % LPS == 0) || (l == LEVELS)) begin : g_reg
          always_ff @(posedge clk) if (en) v <= s;
        end else begin : g_comb
          assign v = s;
        end
        for (genvar i = 0; i < NODES; i++) begin : g_node
          assign node[BASE + i*B +: B] = v[i*SPAN +: B];
        end
      end
      // Only the top node is read from `node`, and no level reads a field's
      // bits above its node.
      logic unused;
      assign unused = ^v;
    end
    logic unused_nodes;
    assign unused_nodes = ^node[TOP_BASE-1:0];
  end
`endif

  for (genvar l = 0; l <= LEVELS; l++) begin : lvl
    // Nodes and terms per node at this level.
    localparam int SPAN = 1 << l;
    localparam int NODES = (N + SPAN - 1) / SPAN;
    localparam int B = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, SPAN < N ? SPAN : N);
    localparam int BASE = level_base(l);

    if (l == 0) begin : g_leaves
      for (genvar i = 0; i < NODES; i++) begin : g_node
        assign node[BASE + i*B +: B] = in_terms[i*IN_BITS +: IN_BITS];
      end
`ifdef VERILATOR
    // Levels 1 .. LEVELS are the field sums' when FIELD_SUMS.
    end else if (!FIELD_SUMS) begin : g_adders
`else
    end else begin : g_adders
`endif
      localparam int PREV_NODES = (N + SPAN / 2 - 1) / (SPAN / 2);
      localparam int PB = vine_rtl_timing_pkg::range_bits(PMIN, PMAX, SPAN / 2 < N ? SPAN / 2 : N);  // level l-1's width
      localparam int PBASE = level_base(l - 1);
      localparam bit REGISTERED = (l % LPS == 0) || (l == LEVELS);
      for (genvar i = 0; i < NODES; i++) begin : g_node
        logic [B-1:0] sum;
        // Widening keeps the sign for signed trees, zero-extends otherwise.
        if (2 * i + 1 < PREV_NODES) begin : g_pair
          if (SIGNED) begin : g_s
            assign sum = B'($signed(node[PBASE + 2*i*PB +: PB])) + B'($signed(node[PBASE + (2*i+1)*PB +: PB]));
          end else begin : g_u
            assign sum = B'(node[PBASE + 2*i*PB +: PB]) + B'(node[PBASE + (2*i+1)*PB +: PB]);
          end
        end else begin : g_odd
          if (SIGNED) begin : g_s
            assign sum = B'($signed(node[PBASE + 2*i*PB +: PB]));
          end else begin : g_u
            assign sum = B'(node[PBASE + 2*i*PB +: PB]);
          end
        end
        if (REGISTERED) begin : g_reg
          always_ff @(posedge clk) if (en) node[BASE + i*B +: B] <= sum;
        end else begin : g_comb
          assign node[BASE + i*B +: B] = sum;
        end
      end
    end
  end

  assign out_sum = node[TOP_BASE +: OUT_BITS];

  if (LEVELS == 0) begin : g_no_regs
    // A single term needs no adder and no register.
    logic unused;
    assign unused = &{1'b0, clk, en};
  end
endmodule
