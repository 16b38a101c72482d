// Temporary: the providers whose mapping is being written.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

#define ODOOSYNC_PENDING(fn, name) \
  result<Mapped> fn(const MapContext&) { return Error::validation(name ": mapping not written yet"); }
ODOOSYNC_PENDING(map_easypost, "easypost")
ODOOSYNC_PENDING(map_shippo, "shippo")

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
