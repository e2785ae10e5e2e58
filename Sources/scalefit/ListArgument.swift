import Foundation

/// List options (`--predict`, `--t`) take both forms: commas (`--predict 1e9,1e10`) and
/// several values or repeats (`--predict 1e9 1e10`, `--predict 1e9 --predict 1e10`).
enum ListArgument {
    /// Every value of `items`, each split at commas; blanks around a value are dropped, an
    /// empty piece (`1e9,,1e10`) is kept so that the caller reports it as a bad value.
    static func split(_ items: [String]) -> [String] {
        items.flatMap { item in
            item.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}
