import Foundation

/// Shell quoting for the commands scalefit prints to be re-run (the report's "Command").
enum ShellQuote {
    /// `word` as one POSIX shell word: unchanged when it holds only characters no shell
    /// treats specially, else in single quotes (a single quote inside becomes `'\''`).
    static func word(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-_./:=,+%@^".unicodeScalars.contains(c)
        }
        if plain { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The words joined into a command line that a POSIX shell splits back into them.
    static func command(_ words: [String]) -> String {
        words.map(word).joined(separator: " ")
    }
}
