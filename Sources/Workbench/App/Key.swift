/// A key press, independent of the terminal library.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
    /// The terminal changed size.
    case resize
    /// Ctrl-C in raw input, or a signal the app turned into a key.
    case interrupt
}
