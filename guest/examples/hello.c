/*
 * hello: prints a greeting to the public output and a line to the debug log.
 *
 * Input  (fd 0): ignored (the sample is empty).
 * Output (fd 1): "Hello from Canopy!\n".
 * Debug  (fd 2): one line.
 *
 * The greeting is a writable, initialised array, so it lives in .data: this
 * example also exercises loading the file bytes of the RW segment.
 */
#include <canopy.h>

static char greeting[32] = "Hello from Canopy!\n";

int main(void)
{
    canopy_debug("hello: this line goes to the debug log (fd 2)\n");
    canopy_print(greeting);
    return 0;
}
