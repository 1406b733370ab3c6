// ncursesw with the wide-character API. SwiftPM drops pkg-config's
// -D_XOPEN_SOURCE, so request the wide functions explicitly.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

// Macros and varargs that do not import into Swift, as functions.
static inline unsigned int wbdit_attr_bold(void) { return A_BOLD; }
static inline unsigned int wbdit_attr_reverse(void) { return A_REVERSE; }
static inline int wbdit_rows(void) { return getmaxy(stdscr); }
static inline int wbdit_columns(void) { return getmaxx(stdscr); }
static inline int wbdit_colours(void) { return COLORS; }
static inline int wbdit_colour_pairs(void) { return COLOR_PAIRS; }

// Draws one character cell with an extended colour pair (ncurses 6.1+).
static inline int wbdit_put(int y, int x, unsigned int character, int pair, unsigned int attributes) {
    cchar_t cell;
    wchar_t text[2] = { (wchar_t)character, 0 };
    setcchar(&cell, text, attributes, 0, &pair);
    return mvadd_wch(y, x, &cell);
}

// Reads one key or character; returns OK, KEY_CODE_YES or ERR (timeout).
static inline int wbdit_read(unsigned int *key) {
    wint_t value = 0;
    int status = get_wch(&value);
    *key = (unsigned int)value;
    return status;
}
