/* Its guest's runs: vel2nest's runners. */
#include "../vel2nest/run.c"
