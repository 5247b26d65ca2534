#!/bin/sh
# kill_rank.sh RANK SECONDS COMMAND...: runs COMMAND, and in the MPI
# process of rank RANK kills it with SIGKILL after SECONDS (a process of a
# data-parallel job dying, for data_parallel.cmake).
rank=$1
seconds=$2
shift 2
if [ "$OMPI_COMM_WORLD_RANK" = "$rank" ]; then
  (sleep "$seconds" && kill -9 $$) &
fi
exec "$@"
