// library.cpp: the translation unit of libjwtbatch.so. The C API lives in capi/capi.cpp (the
// library holds every object of jwtbatch_capi, jwtbatch_audit and jwtbatch_engine: capi/CMakeLists.txt);
// this file only records, in the library, the C API version it was built for, so that
// `strings libjwtbatch.so | grep jwtbatch-c-api` tells.
#include "jwtbatch/jwtbatch.h"

#define JWTBATCH_STR2(x) #x
#define JWTBATCH_STR(x) JWTBATCH_STR2(x)
__attribute__((used)) static const char kCApiTag[] =
    "jwtbatch-c-api " JWTBATCH_STR(JWTBATCH_C_API_VERSION);
