// library.cpp: the translation unit of libjwtbatch.so. The whole C API lives in engine/capi.cpp
// (linked in whole from jwtbatch_engine); this file only records, in the library, the C API version
// it was built for, so that `strings libjwtbatch.so | grep jwtbatch-c-api` tells.
#include "jwtbatch/jwtbatch.h"

#define JWTBATCH_STR2(x) #x
#define JWTBATCH_STR(x) JWTBATCH_STR2(x)
__attribute__((used)) static const char kCApiTag[] =
    "jwtbatch-c-api " JWTBATCH_STR(JWTBATCH_C_API_VERSION);
