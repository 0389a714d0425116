// toml++ without exceptions, header-only: the one way the project includes
// toml++ (core/config.cc, core/analytics/classify.cc).
//
// toml++ 3.3 setup. We want toml::parse_result (no exceptions), i.e.
// TOML_EXCEPTIONS 0, which puts the parser in the ABI namespace
// toml::v3::noex. Debian's libtomlplusplus.so is built with exceptions and
// exports only toml::v3::ex::parse*, and its CMake target adds
// -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1 (which forces non-header-only), so
// a noex build against it would not link. We therefore compile the noex
// parser header-only here: all definitions are inline and scoped to this TU.
// Every TU that includes toml++ must use the same settings: include this
// header, never <toml++/toml.h> directly.
#pragma once

#undef TOML_SHARED_LIB
#define TOML_SHARED_LIB 0
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_EXCEPTIONS
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>
