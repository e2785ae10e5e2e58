import CSQLite
import ScalefitCore

/// A read-only SQLite database, through the system's SQLite library (never parsed by hand).
///
/// Only what the MLflow reader needs: open read-only, run a query, step through its rows and
/// read text, integer and real columns.
final class SQLiteDatabase {
    private let handle: OpaquePointer
    let path: String

    /// The 16 bytes every SQLite 3 database starts with.
    static let magic: [UInt8] = Array("SQLite format 3".utf8) + [0]

    init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(status)"
            if let db { sqlite3_close(db) }
            throw InputError(file: path, message: "cannot open as an SQLite database: \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 2000)  // a store that MLflow is writing to
    }

    deinit { sqlite3_close(handle) }

    /// One row of a result: columns by index.
    struct Row {
        fileprivate let statement: OpaquePointer
        func isNull(_ k: Int32) -> Bool { sqlite3_column_type(statement, k) == SQLITE_NULL }
        func text(_ k: Int32) -> String? {
            guard let pointer = sqlite3_column_text(statement, k) else { return nil }
            return String(cString: pointer)
        }
        func int(_ k: Int32) -> Int64 { sqlite3_column_int64(statement, k) }
        func double(_ k: Int32) -> Double { sqlite3_column_double(statement, k) }
        /// The column as a number when SQLite stores it as an integer or a real; `nil` for text, blob or NULL.
        func number(_ k: Int32) -> Double? {
            switch sqlite3_column_type(statement, k) {
            case SQLITE_INTEGER: return Double(sqlite3_column_int64(statement, k))
            case SQLITE_FLOAT: return sqlite3_column_double(statement, k)
            default: return nil
            }
        }
    }

    /// Runs `sql` with text `bindings` and hands each row to `body`.
    func query(_ sql: String, _ bindings: [String] = [], _ body: (Row) throws -> Void) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw InputError(file: path, message: "SQLite: \(String(cString: sqlite3_errmsg(handle))) (in \(sql))")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)  // SQLITE_TRANSIENT
        for (k, value) in bindings.enumerated() {
            sqlite3_bind_text(statement, Int32(k + 1), value, -1, transient)
        }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else {
                throw InputError(file: path, message: "SQLite: \(String(cString: sqlite3_errmsg(handle))) (in \(sql))")
            }
            try body(Row(statement: statement))
        }
    }

    /// The names of the tables.
    func tables() throws -> Set<String> {
        var names = Set<String>()
        try query("SELECT name FROM sqlite_master WHERE type = 'table'") { row in
            if let name = row.text(0) { names.insert(name) }
        }
        return names
    }

    /// The columns of `table`.
    func columns(_ table: String) throws -> Set<String> {
        var names = Set<String>()
        try query("SELECT name FROM pragma_table_info(?)", [table]) { row in
            if let name = row.text(0) { names.insert(name) }
        }
        return names
    }
}
