// ncursesw with the wide-character API. SwiftPM drops pkg-config's
// -D_XOPEN_SOURCE, so request the wide functions explicitly.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
