// Names the initiator of a transaction for the DDR's statistics and its
// tie-break (docs/ddr.md). Without it the initiator is the index of the
// target-socket binding the call came through; initiators that reach the DDR
// through one shared path (an interconnect bound once) set this instead.
// Ignorable: a target that does not know it loses nothing.
#pragma once

#include <tlm>

namespace vine::models {

class InitiatorId : public tlm::tlm_extension<InitiatorId> {
 public:
  explicit InitiatorId(int id = 0) : id(id) {}

  tlm::tlm_extension_base* clone() const override { return new InitiatorId(id); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    id = static_cast<const InitiatorId&>(other).id;
  }

  int id;
};

}  // namespace vine::models
