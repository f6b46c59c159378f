/* CNTHP by its _EL2 names: vel2nest's checks, with E2H = 0. */
#include "../vel2nest/timers.c"
