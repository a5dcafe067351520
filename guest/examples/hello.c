/* hello: prints a greeting to the public output and a line to the debug log.
 * Input: ignored (sample is empty).  Output: "Hello from Canopy!\n". */
#include <canopy.h>

int main(void)
{
    canopy_debug("hello: this line goes to the debug log (fd 2)\n");
    canopy_print("Hello from Canopy!\n");
    return 0;
}
