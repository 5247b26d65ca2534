// The one header a Kiln model includes. See docs/dsl.md.
#pragma once

#include "kiln/dsl/constants.h"
#include "kiln/dsl/conv.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/error.h"
#include "kiln/dsl/linalg.h"
#include "kiln/dsl/losses.h"
#include "kiln/dsl/mode.h"
#include "kiln/dsl/model.h"
#include "kiln/dsl/norm.h"
#include "kiln/dsl/optim.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/random.h"
#include "kiln/dsl/reduce.h"
#include "kiln/dsl/shape_ops.h"
#include "kiln/dsl/symbols.h"
#include "kiln/dsl/tensor.h"
