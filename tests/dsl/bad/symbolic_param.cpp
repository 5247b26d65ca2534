// Parameters have static shapes only.
#include <kiln/dsl.h>
using namespace kiln::dsl;

struct Bad : Model {
  Param<batch, 3> p{"p", init::zeros()}; // ERROR-HERE
};

// EXPECT: Param: parameter dimensions must be static sizes
