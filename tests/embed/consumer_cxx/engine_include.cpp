// engine_include.cpp: must NOT compile against the installed package: the library's internal
// headers are not part of it (tests/embed/consumer_cxx/CMakeLists.txt tries to build it).
#include "engine/pipeline.hpp"
int main() { return 0; }
