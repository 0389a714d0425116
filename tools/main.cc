// The `tb` executable: everything lives in tb_tools so tests can link it.
#include "tools/cli.h"

int main(int argc, char** argv) { return tb::RunMain(argc, argv); }
