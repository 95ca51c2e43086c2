/// Parameters that reach a shell. `pg_ctl start` runs the server through `/bin/sh -c`: the data and log paths
/// stand inside double quotes there, and the `-o` options (start_opts) stand bare. A value the shell would
/// act on is refused with the character named, before anything runs.
public enum ShellExposure {
    /// Characters a shell still interprets inside double quotes, plus the line breaks that end a command.
    static let specialInDoubleQuotes: Set<Character> = ["\"", "$", "`", "\\", "\n", "\r"]

    /// What start_opts may hold: `-c name=value` options without quoting (letters, digits, space and
    /// `-_=./,:@+%`); quoting rules differ between the shell and the server, so none is accepted.
    static func isPlainOption(_ c: Character) -> Bool {
        (c.isASCII && (c.isLetter || c.isNumber)) || " -_=./,:@+%".contains(c)
    }

    /// The first character of a path parameter that a shell would act on inside double quotes, else nil.
    public static func unsafeInQuotes(_ path: String) -> Character? {
        path.first { specialInDoubleQuotes.contains($0) }
    }

    /// The first character of start_opts outside the plain set, else nil.
    public static func unsafeOption(_ options: String) -> Character? {
        options.first { !isPlainOption($0) }
    }

    /// Single-quotes `text` for a POSIX shell (a quote inside becomes '\'').
    public static func quote(_ text: String) -> String {
        "'" + text.replacingAll("'", with: "'\\''") + "'"
    }

    /// How a refused character is named in a reason: visible, and line breaks spelt out.
    static func describe(_ c: Character) -> String {
        switch c {
        case "\n": return "a line break"
        case "\r": return "a carriage return"
        default: return "'\(c)'"
        }
    }
}
