// Only on the uio branch, until vp_backend.cpp is merged: the driver links
// without the virtual platform, and a vp: target says so.
#include "platforms/driver/backend.h"

namespace vine::driver {

std::unique_ptr<Backend> make_vp_backend(const std::string& spec) {
  throw DriverError(VINE_EINVAL, "vp backend not built");
}

}  // namespace vine::driver
