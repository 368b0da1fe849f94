// For tools that open the VP through the driver and then want its figures
// (`vine vp`): the VirtualPlatform behind a device, or null for a board.
#pragma once

#include "platforms/driver/vine_driver.h"
#include "platforms/vp/virtual_platform.h"

namespace vine::driver {

class Backend;
platforms::VirtualPlatform* virtual_platform_of(Backend& b);
platforms::VirtualPlatform* virtual_platform_of(vine_device* dev);

}  // namespace vine::driver
