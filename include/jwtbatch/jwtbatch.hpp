// jwtbatch.hpp: the whole public C++ API.
#pragma once

#include "jwtbatch/audit.hpp"
#include "jwtbatch/keyset.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/stats.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/text.hpp"
#include "jwtbatch/verifier.hpp"
