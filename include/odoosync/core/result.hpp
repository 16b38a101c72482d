// result<T>: the return type of every fallible call. Either a T or an Error, never an exception.
#pragma once

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <boost/outcome/try.hpp>

#include <odoosync/core/error.hpp>

namespace odoosync {
inline namespace v0 {

// Touching value() of a failed result is a programming error; it terminates rather than throwing,
// because nothing may throw across our API. Check with `if (!r)` or use BOOST_OUTCOME_TRY.
template <class T>
using result = BOOST_OUTCOME_V2_NAMESPACE::basic_result<T, Error, BOOST_OUTCOME_V2_NAMESPACE::policy::terminate>;

using BOOST_OUTCOME_V2_NAMESPACE::success;

inline auto failure(Error e) { return BOOST_OUTCOME_V2_NAMESPACE::failure(std::move(e)); }

}  // namespace v0
}  // namespace odoosync

// ODOOSYNC_TRY(var, expr): on failure return the error from the enclosing function.
#define ODOOSYNC_TRY BOOST_OUTCOME_TRY
// ODOOSYNC_TRYV(expr): the same for a call whose value is not needed (result<void> included).
#define ODOOSYNC_TRYV BOOST_OUTCOME_TRYV
