import Foundation
import ScalefitCore

/// Readers for delimited text: generic wide and long CSV/TSV, W&B panel, runs-table and
/// history exports, TensorBoard's CSV download, Lightning's `metrics.csv` and sweep tables.
///
/// All share one streaming loop over ``CSVTokenizer`` records; the header decides a
/// ``Plan`` (which cell is x, which are values, which split rows into runs), and each row
/// then costs one number parse per cell.
enum DelimitedReader {
    // MARK: Detection

    /// The cells of the first record of `head`, and whether every one was quoted.
    static func firstRecord(_ head: [UInt8], delimiter: UInt8) -> (cells: [String], allQuoted: Bool) {
        var cells: [String] = []
        var current: [UInt8] = []
        var quoted = false, inQuotes = false, allQuoted = true
        var i = 0
        while i < head.count {
            let b = head[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < head.count && head[i + 1] == UInt8(ascii: "\"") { current.append(b); i += 2; continue }
                    inQuotes = false
                } else {
                    current.append(b)
                }
            } else if b == UInt8(ascii: "\"") && current.isEmpty {
                inQuotes = true; quoted = true
            } else if b == delimiter {
                cells.append(String(decoding: current, as: UTF8.self)); allQuoted = allQuoted && quoted
                current = []; quoted = false
            } else if b == 10 || b == 13 {
                break
            } else {
                current.append(b)
            }
            i += 1
        }
        cells.append(String(decoding: current, as: UTF8.self)); allQuoted = allQuoted && quoted
        return (cells, allQuoted)
    }

    static func detect(head: [UInt8], path: String) -> LogFormat {
        let (cells, allQuoted) = firstRecord(head, delimiter: CSVTokenizer.sniffDelimiter(head))
        if cells == ["Wall time", "Step", "Value"] { return .tensorboardCSV }
        if cells.count >= 2 && cells[0] == "Name" && cells[1] == "State" { return .wandbRuns }
        if allQuoted && cells.count >= 2 && cells.dropFirst().contains(where: { $0.contains(" - ") }) { return .wandbPanel }
        if cells.contains("_step") { return .wandbHistory }
        let lower = Set(cells.map { $0.lowercased() })
        if URL(fileURLWithPath: path).lastPathComponent == "metrics.csv" && lower.contains("step") && lower.contains("epoch") {
            return .lightning
        }
        if SweepColumns(header: cells).isSweep { return .sweep }
        return .csv
    }

    // MARK: Reading

    /// Reads one delimited file into `collector`.
    static func read(source: ByteSource, format: LogFormat, options callerOptions: IngestOptions, into collector: SeriesCollector) throws {
        let head = format == .csv ? try source.peek(64 * 1024) : []
        let tokenizer = try CSVTokenizer(source: source, delimiter: callerOptions.delimiter)
        let path = source.path
        var header: [String] = []
        while try tokenizer.next() {
            if !tokenizer.isBlank { header = tokenizer.strings(); break }
        }
        if header.isEmpty { throw InputError(file: path, line: 1, column: 1, message: "the file is empty; expected a header line") }
        // (A W&B panel's repeated __MIN/__MAX columns are bands of one series, handled by its plan.)
        if format != .wandbPanel { header = renamingDuplicates(header, path: path, collector: collector) }
        // A generic table with text columns that split it (Domain, Task, Model): those
        // become the runs, as --group would make them (issue 16: the revisiting benchmark
        // reads as its 20 curves with no flags).
        var options = callerOptions
        var shape: SampleShape?
        if format == .csv, options.groupColumns.isEmpty, longColumns(header.map { $0.lowercased() }) == nil {
            let delimiter = options.delimiter ?? CSVTokenizer.sniffDelimiter(head)
            let sample = SampleShape(header: header, head: head, delimiter: delimiter)
            shape = sample
            if !sample.groups.isEmpty {
                options.groupColumns = sample.groups.map { header[$0] }
                for k in sample.flags {
                    collector.warn("\(path): column \"\(header[k])\" holds only 0 and 1 (a flag), so it is not read as a metric; --y \"\(header[k])\" reads it")
                }
            }
        }
        let autoGroups = shape.map { !$0.groups.isEmpty } ?? false
        // The TensorBoard plan reads cells 0, 1 and 2 by position (fuzzing found the crash
        // with `--format tensorboard-csv` on a two-column file: issue 9).
        if format == .tensorboardCSV && header.count < 3 {
            throw tokenizer.errorAtRecord("a TensorBoard CSV has 3 columns (Wall time, Step, Value); this header has \(header.count)")
        }
        // A constant: a `var` captured by the nested functions below would be boxed and pay
        // an exclusivity check on every access in the row loop.
        let plan = try makePlan(header: header, format: format, options: options, path: path, collector: collector,
                                shape: autoGroups ? shape : nil)
        if let x = plan.xIndex, x < header.count { collector.xColumns.append(header[x]) }
        let defaultRun = Ingest.runName(for: path, options: options)

        var groups: [[UInt8]: Int] = [:]
        var groupLabels: [[String: String]] = []
        var groupRun: [String] = []
        // Read on every row: owned buffers (no uniqueness or bounds checks).
        var seriesOf = Scratch<Int>()  // group * valueColumns.count + v → local slot, -1 if none yet
        var labelValues: [[String?]] = []  // group → candidate → first value
        let candidateCount = plan.labelCandidates.count
        var labelConstant = Scratch<Bool>()  // group * candidateCount + candidate
        defer { seriesOf.free(); labelConstant.free() }
        var longSeries: [[UInt8]: Int] = [:]
        var rowsRead = 0
        var pendingShort: InputError?
        var derived = 0
        let valueCount = plan.valueColumns.count
        var keyBytes: [UInt8] = []

        func groupIndex() -> Int {
            if plan.groupIndices.isEmpty && groupRun.count == 1 { return 0 }
            keyBytes.removeAll(keepingCapacity: true)
            for k in plan.groupIndices {
                tokenizer.withRawBytes(k) { keyBytes.append(contentsOf: $0) }
                keyBytes.append(0x1F)
            }
            if let found = groups[keyBytes] { return found }
            let g = groupRun.count
            groups[keyBytes] = g
            var labels: [String: String] = [:]
            var parts: [String] = []
            for k in plan.groupIndices {
                labels[header[k]] = tokenizer.string(k)
                parts.append(tokenizer.string(k))
            }
            groupLabels.append(labels)
            groupRun.append(parts.isEmpty ? defaultRun : (options.run ?? parts.joined(separator: "/")))
            for _ in 0..<valueCount { seriesOf.append(-1) }
            labelValues.append(Array(repeating: nil, count: candidateCount))
            for _ in 0..<candidateCount { labelConstant.append(true) }
            return g
        }

        // Points are gathered in local arrays (one slot per series of this file) and
        // handed to the collector at the end: appending through a class costs an
        // exclusivity check per point.
        var slotBuilder: [Int] = []
        var slotKept = Scratch<Bool>()
        defer { slotKept.free() }
        var xs: [[Double]] = [], values: [[Double]] = [], x2s: [[Double]] = [], walls: [[Double]] = []
        var lowers: [[Double]] = [], uppers: [[Double]] = [], banded: [Bool] = []
        let hasX2 = plan.x2Index != nil || plan.derive != nil
        let hasWall = plan.wallIndex != nil
        let valueIndices = plan.valueColumns.map(\.index)
        let bandRoles: [UInt8] = plan.valueColumns.map { $0.band == .none ? 0 : $0.band == .lower ? 1 : 2 }
        let mains = plan.valueColumns.map { $0.main ?? -1 }
        let hasBands = bandRoles.contains { $0 != 0 }
        // The same, as owned buffers for the row loop.
        let valueIndexOf = UnsafeMutablePointer<Int>.allocate(capacity: valueCount + 1)
        let mainOf = UnsafeMutablePointer<Int>.allocate(capacity: valueCount + 1)
        let bandRoleOf = UnsafeMutablePointer<UInt8>.allocate(capacity: valueCount + 1)
        let candidateOf = UnsafeMutablePointer<Int>.allocate(capacity: candidateCount + 1)
        valueIndexOf.initialize(from: valueIndices, count: valueCount)
        mainOf.initialize(from: mains, count: valueCount)
        bandRoleOf.initialize(from: bandRoles, count: valueCount)
        candidateOf.initialize(from: plan.labelCandidates, count: candidateCount)
        defer { valueIndexOf.deallocate(); mainOf.deallocate(); bandRoleOf.deallocate(); candidateOf.deallocate() }
        let strict = options.yColumn != nil || plan.sweep != nil
        // The first header cell's bytes as the file spells them (a repeated header is
        // recognised by them before anything is parsed or decoded).
        let headerFirst = Array(header[0].utf8)
        // In wide files the label candidates are the value columns, in order; whether each
        // cell of the row was a number is noted once here instead of parsed twice.
        let candidatesAreValues = !plan.labelAnyCell && plan.labelCandidates == valueIndices
        // Per-column counters written on every row: owned buffers, not arrays, so the
        // writes pay no uniqueness check.
        let cellIsNumber = UnsafeMutableBufferPointer<Bool>.allocate(capacity: valueCount)
        cellIsNumber.initialize(repeating: false)
        defer { cellIsNumber.deallocate() }
        let labelAnyCell = plan.labelAnyCell
        let singleGroup = plan.groupIndices.isEmpty
        let numbers = UnsafeMutableBufferPointer<Int>.allocate(capacity: valueCount)
        let texts = UnsafeMutableBufferPointer<Int>.allocate(capacity: valueCount)
        let appendedIn = UnsafeMutableBufferPointer<Int>.allocate(capacity: valueCount)
        numbers.initialize(repeating: 0); texts.initialize(repeating: 0); appendedIn.initialize(repeating: -1)
        defer { numbers.deallocate(); texts.deallocate(); appendedIn.deallocate() }
        // Summary mode folds each point into its slot's running figures at once (see
        // StreamStats); the per-slot state lives in owned buffers, so the row loop pays
        // no array uniqueness checks for it.
        let summary = collector.summaryMode
        let policy = options.repeatedSteps, minX = options.minX, tokensPerStep = options.tokensPerStep
        var folds = Scratch<StreamStats>(), rowLower = Scratch<Double>(), rowUpper = Scratch<Double>()
        defer { folds.free(); rowLower.free(); rowUpper.free() }
        if summary && hasBands {
            // Two __MIN (or __MAX) columns for one series: the last would win per point,
            // which the running count of differing bands cannot follow.
            var seen = Set<Int>()
            for v in 0..<valueCount where bandRoles[v] != 0 && mains[v] >= 0 {
                if !seen.insert(mains[v] * 2 + Int(bandRoles[v])).inserted { throw Ingest.NeedsPoints() }
            }
        }
        var bandsDiffer = 0

        func number(_ record: CSVTokenizer.Record, _ k: Int, scale: Double, field: String) throws -> Double? {
            if let value = record.double(k) { return value * scale }
            if record.isMissing(k) { return nil }
            if plan.quantities, let value = Quantity.parse(record.string(k)) { return value * scale }
            throw tokenizer.error(atCell: k, field: field, "expected a number, found \"\(record.string(k))\"")
        }

        var longWallScale: Double?
        var madeGroup = false
        var liveLabels = candidateCount  // label flags still set (counted for files without groups)
        var currentGroup = -1, currentRun = "", currentLabels: [String: String] = [:]
        var seriesBase = seriesOf.base, labelBase = labelConstant.base

        // Plain rows (see CSVTokenizer.scanPlainRow): once the first rows have made the
        // file's group, its label verdicts and its series, a row whose cells are all
        // numbers or empty is cut and parsed in one pass and goes straight to its series.
        // Any other row (text, a repeated header, a row cut short, the end of the bytes
        // read so far, a column's first number) is read by the loop below.
        let plainLayout = CSVTokenizer.PlainRowLayout(count: header.count)
        defer { plainLayout.free() }
        let plainRows = options.plainRows && tokenizer.allowsPlainRows && plan.mode == .wide && plan.statusIndex == nil
            && !hasX2 && plan.xIndex != nil && singleGroup
        if plainRows {
            plainLayout.parse[plan.xIndex!] = true
            if let k = plan.wallIndex, !summary { plainLayout.parse[k] = true }  // only full reads keep it
            for k in valueIndices { plainLayout.parse[k] = true }
        }
        let rowValue = UnsafeMutablePointer<Double>.allocate(capacity: header.count)
        let rowPresent = UnsafeMutablePointer<Bool>.allocate(capacity: header.count)
        rowValue.initialize(repeating: .nan, count: header.count)
        rowPresent.initialize(repeating: false, count: header.count)
        defer { rowValue.deallocate(); rowPresent.deallocate() }
        let xIndex = plan.xIndex ?? 0, xScale = plan.xScale
        let floor = minX ?? -.infinity
        // The main value columns, once each has its series: (cell, column, slot, kept).
        var slotsMade = false
        let plainColumns = UnsafeMutablePointer<(k: Int, v: Int, slot: Int, kept: Bool)>.allocate(capacity: valueCount + 1)
        var plainCount = 0
        defer { plainColumns.deallocate() }

        rows: while true {
            if plainRows && madeGroup && liveLabels == 0 && pendingShort == nil {
                plain: while tokenizer.scanPlainRow(plainLayout, values: rowValue, present: rowPresent) {
                    if !rowPresent[xIndex] { tokenizer.unreadPlainRow(); break plain }  // missing x: reported below
                    if !slotsMade {
                        for v in 0..<valueCount where bandRoleOf[v] == 0 && seriesBase[v] < 0 {
                            if rowPresent[valueIndexOf[v]] { tokenizer.unreadPlainRow(); break plain }
                        }
                        slotsMade = !(0..<valueCount).contains { bandRoleOf[$0] == 0 && seriesBase[$0] < 0 }
                        plainCount = 0
                        for v in 0..<valueCount where bandRoleOf[v] == 0 && seriesBase[v] >= 0 {
                            plainColumns[plainCount] = (valueIndexOf[v], v, seriesBase[v], slotKept.base[seriesBase[v]])
                            plainCount += 1
                        }
                    }
                    rowsRead += 1
                    let x = rowValue[xIndex] * xScale
                    let foldX = tokensPerStep.map { x * $0 } ?? x
                    if summary && !hasBands {  // the common case, with nothing else to do per point
                        for c in 0..<plainCount {
                            let (k, v, slot, kept) = plainColumns[c]
                            if !rowPresent[k] { continue }
                            numbers[v] &+= 1
                            if kept && !folds.base[slot].addFollowing(x: foldX, value: rowValue[k], floor: floor, policy: policy, minX: minX) {
                                throw Ingest.NeedsPoints()
                            }
                        }
                        continue plain
                    }
                    for c in 0..<plainCount {
                        let (k, v, slot, kept) = plainColumns[c]
                        if !rowPresent[k] { continue }
                        numbers[v] &+= 1
                        if !kept { continue }  // another metric than --metric
                        let value = rowValue[k]
                        if summary {
                            if !folds.base[slot].addFollowing(x: foldX, value: value, floor: floor, policy: policy, minX: minX) {
                                throw Ingest.NeedsPoints()
                            }
                            if hasBands { rowLower.base[slot] = .nan; rowUpper.base[slot] = .nan }
                        } else {
                            xs[slot].append(x)
                            values[slot].append(value)
                            if hasWall { walls[slot].append(rowPresent[plan.wallIndex!] ? rowValue[plan.wallIndex!] : .nan) }
                            if hasBands { lowers[slot].append(.nan); uppers[slot].append(.nan) }
                        }
                        appendedIn[v] = rowsRead
                    }
                    if hasBands {
                        for v in 0..<valueCount where bandRoleOf[v] != 0 {
                            let main = mainOf[v], k = valueIndexOf[v]
                            guard main >= 0, appendedIn[main] == rowsRead, rowPresent[k] else { continue }
                            placeBand(rowValue[k], lower: bandRoleOf[v] == 1, slot: seriesBase[main], summary: summary,
                                      rowLower: rowLower.base, rowUpper: rowUpper.base, bandsDiffer: &bandsDiffer,
                                      banded: &banded, lowers: &lowers, uppers: &uppers)
                        }
                    }
                }
            }
            guard try tokenizer.next() else { break rows }
            if tokenizer.isBlank { continue }
            if let pending = pendingShort { throw pending }
            let count = tokenizer.count
            let record = tokenizer.record
            // The first cell as a number: a data row's is one (usually its x, reused below),
            // so the repeated-header test rarely has to look at text.
            let first = count == header.count ? record.double(0) : nil
            if count == header.count && first == nil && record.hasText(0, header[0], headerFirst)
                && tokenizer.strings() == header {
                collector.warn("\(path):\(tokenizer.recordLine): the header repeats here (a resumed log?); reading on")
                continue
            }
            if count == 1 && header.count > 1 {
                collector.warn("\(path):\(tokenizer.recordLine): skipped a line that is not a data row: \"\(tokenizer.string(0))\"")
                continue
            }
            if count > header.count {
                throw tokenizer.error(atCell: header.count, "expected \(header.count) cells as in the header, found \(count)")
            }
            if count < header.count {
                pendingShort = tokenizer.errorAtRecord("expected \(header.count) cells as in the header, found \(count)")
                continue
            }
            rowsRead += 1
            if let status = plan.statusIndex, !options.includeUnfinished {
                let state = tokenizer.string(status).lowercased()
                if !["finished", "completed", "complete", "success", "succeeded", "done", "ok", ""].contains(state) {
                    collector.report.add(.unfinishedRun, "\(path) (\(header[status]) = \(state))")
                    continue
                }
            }
            // x
            var x: Double?
            var x2: Double?
            if let xIndex = plan.xIndex {
                let parsed: Double?
                do {
                    parsed = xIndex == 0 && first != nil ? first! * plan.xScale
                        : try number(record, xIndex, scale: plan.xScale, field: header[xIndex])
                } catch var error as InputError {
                    // Text where x was expected (a label column taken for x): list the columns.
                    error.message += "; the columns are " + header.map { "\"\($0)\"" }.joined(separator: ", ")
                        + ": name x with --x, the value with --y, and split rows into runs with --group COLUMN"
                    throw error
                }
                guard let value = parsed else {
                    collector.report.add(.missingX, path)
                    continue
                }
                x = value
            }
            if let k = plan.x2Index { x2 = try number(record, k, scale: plan.x2Scale, field: header[k]) }
            if let derive = plan.derive {
                let n = try derive.n.flatMap { try number(record, $0, scale: plan.sweep!.scale($0), field: header[$0]) }
                let d = try derive.d.flatMap { try number(record, $0, scale: plan.sweep!.scale($0), field: header[$0]) }
                let c = try derive.c.flatMap { try number(record, $0, scale: plan.sweep!.scale($0), field: header[$0]) }
                var value: Double?
                switch derive.target {
                case "N": if let c, let d { value = c / (6 * d) }
                case "D": if let c, let n { value = c / (6 * n) }
                default: if let n, let d { value = 6 * n * d }
                }
                guard let value else { collector.report.add(.missingX, path); continue }
                derived += 1
                if plan.xIndex == nil { x = value } else { x2 = value }
            }
            guard let x else { collector.report.add(.missingX, path); continue }
            let wall = plan.wallIndex.flatMap { record.double($0) }

            if plan.mode == .long {
                keyBytes.removeAll(keepingCapacity: true)
                for k in [plan.runIndex, plan.metricIndex].compactMap({ $0 }) + plan.extraIndices {
                    tokenizer.withRawBytes(k) { keyBytes.append(contentsOf: $0) }
                    keyBytes.append(0x1F)
                }
                let series: Int
                if let found = longSeries[keyBytes] {
                    series = found
                } else {
                    var labels: [String: String] = [:]
                    for k in plan.extraIndices where !tokenizer.isEmpty(k) { labels[header[k]] = tokenizer.string(k) }
                    series = collector.index(run: options.run ?? plan.runIndex.map { tokenizer.string($0) } ?? defaultRun,
                                             metric: tokenizer.string(plan.metricIndex!), labels: labels)
                    longSeries[keyBytes] = series
                }
                let valueIndex = plan.valueIndex!
                guard let value = try number(record, valueIndex, scale: 1, field: header[valueIndex]) else { continue }
                // A `timestamp` column in milliseconds (MLflow's export) becomes seconds, as
                // the MLflow reader has it.
                if longWallScale == nil, let wall { longWallScale = wall > 1e11 && header[plan.wallIndex!].lowercased() == "timestamp" ? 0.001 : 1 }
                collector.append(series, x: x, value: value, x2: x2, wallTime: wall.map { $0 * (longWallScale ?? 1) })
                continue
            }

            // groupIndex()'s captures (groupRun, seriesOf, labelConstant) cost an access
            // check each time they are read: a file without groups calls it once, and the
            // storage of the two tables, which grow only there, is kept in locals.
            let g: Int
            if singleGroup && madeGroup {
                g = 0
            } else {
                g = groupIndex()
                madeGroup = true
                seriesBase = seriesOf.base; labelBase = labelConstant.base
                if g != currentGroup { currentGroup = g; currentRun = groupRun[g]; currentLabels = groupLabels[g] }
            }
            let foldX = tokensPerStep.map { x * $0 } ?? x  // as SeriesCollector scales it
            let foldX2: Double? = hasX2 ? (x2 ?? .nan) : nil
            // Here the record has exactly the header's cells (shorter and longer ones were
            // set aside above), and every value column is a header index.
            for v in 0..<valueCount where bandRoleOf[v] == 0 {
                let k = valueIndexOf[v]
                let value: Double
                if let parsed = record.doubleInRange(k) {
                    value = parsed
                    cellIsNumber[v] = true
                } else if record.isMissing(k) {
                    cellIsNumber[v] = false
                    continue
                } else if plan.quantities, let parsed = Quantity.parse(record.string(k)) {
                    value = parsed
                    cellIsNumber[v] = false
                } else {
                    cellIsNumber[v] = false
                    if strict {
                        throw tokenizer.error(atCell: k, field: header[k], "expected a number, found \"\(record.string(k))\"")
                    }
                    texts[v] += 1
                    continue
                }
                numbers[v] += 1
                var slot = seriesBase[g &* valueCount &+ v]
                if slot < 0 {
                    let column = plan.valueColumns[v]
                    slot = slotBuilder.count
                    let builder = collector.index(run: column.run ?? currentRun, metric: column.metric, labels: currentLabels)
                    if summary && !collector.isDiscarded(builder) && slotBuilder.contains(builder) {
                        // Two columns of one series (duplicate names): summary mode cannot
                        // follow the order the full read sorts them into.
                        throw Ingest.NeedsPoints()
                    }
                    slotBuilder.append(builder)
                    slotKept.append(!collector.isDiscarded(builder))
                    if summary {
                        folds.append(StreamStats()); rowLower.append(.nan); rowUpper.append(.nan)
                    } else {
                        xs.append([]); values.append([]); x2s.append([]); walls.append([])
                        lowers.append([]); uppers.append([])
                    }
                    banded.append(false)
                    seriesBase[g &* valueCount &+ v] = slot
                }
                if !slotKept.base[slot] { continue }  // another metric than --metric
                if summary {
                    if !folds.base[slot].add(x: foldX, value: value, x2: foldX2, policy: policy, minX: minX) {
                        throw Ingest.NeedsPoints()
                    }
                    if hasBands { rowLower.base[slot] = .nan; rowUpper.base[slot] = .nan }
                    appendedIn[v] = rowsRead
                    continue
                }
                xs[slot].append(x)
                values[slot].append(value)
                if hasX2 { x2s[slot].append(x2 ?? .nan) }
                if hasWall { walls[slot].append(wall ?? .nan) }
                if hasBands { lowers[slot].append(.nan); uppers[slot].append(.nan) }
                appendedIn[v] = rowsRead
            }
            if hasBands {
                for v in 0..<valueCount where bandRoleOf[v] != 0 {
                    let main = mainOf[v]
                    guard main >= 0, appendedIn[main] == rowsRead, let value = record.doubleInRange(valueIndexOf[v]) else { continue }
                    placeBand(value, lower: bandRoleOf[v] == 1, slot: seriesBase[g &* valueCount &+ main], summary: summary,
                              rowLower: rowLower.base, rowUpper: rowUpper.base, bandsDiffer: &bandsDiffer,
                              banded: &banded, lowers: &lowers, uppers: &uppers)
                }
            }
            // Label candidates: columns constant within the group become labels. Once none
            // is left (a file without groups), the loop is skipped.
            if singleGroup && liveLabels == 0 { continue }
            for c in 0..<candidateCount where labelBase[g &* candidateCount &+ c] {
                let k = candidateOf[c]
                if candidatesAreValues {
                    // A value column that held a number is never a label (numericColumns
                    // below), whatever it holds later: stop looking at it.
                    if cellIsNumber[c] { labelBase[g &* candidateCount &+ c] = false; liveLabels &-= 1; continue }
                } else if !labelAnyCell && record.double(k) != nil {
                    continue
                }
                if record.isMissing(k) {
                    labelBase[g &* candidateCount &+ c] = false  // a label must hold on every row
                    liveLabels &-= 1
                    continue
                }
                let text = record.string(k)
                if let first = labelValues[g][c] {
                    if first != text { labelBase[g &* candidateCount &+ c] = false; liveLabels &-= 1 }
                } else {
                    labelValues[g][c] = text
                }
            }
        }
        // Full mode: the points go to the collector once, at the end of the file. (Written
        // here rather than as a nested function, whose captures would put these arrays in
        // boxes that the row loop pays an access check for.)
        if !summary {
            for slot in slotBuilder.indices where !xs[slot].isEmpty {
                if banded[slot] {
                    for i in lowers[slot].indices where lowers[slot][i].isFinite && uppers[slot][i].isFinite && lowers[slot][i] != uppers[slot][i] {
                        bandsDiffer += 1
                    }
                }
                collector.appendColumns(slotBuilder[slot], x: xs[slot], values: values[slot], x2: hasX2 ? x2s[slot] : nil,
                                        wallTimes: hasWall ? walls[slot] : nil,
                                        band: banded[slot] ? (lowers[slot], uppers[slot]) : nil)
                xs[slot] = []; values[slot] = []; x2s[slot] = []; walls[slot] = []; lowers[slot] = []; uppers[slot] = []
            }
        }
        if summary {
            for slot in slotBuilder.indices where slotKept.base[slot] {
                collector.adopt(slotBuilder[slot], folds.base[slot], hasBand: banded[slot])
            }
        }
        var valueColumns = plan.valueColumns
        for v in 0..<valueCount {
            valueColumns[v].numbers = numbers[v]
            valueColumns[v].texts = texts[v]
        }
        if pendingShort != nil {
            collector.warn("\(path): the last row is cut short (an interrupted download?); it was skipped")
            collector.report.add(.truncatedRow, path)
        }
        if derived > 0, let target = plan.derive?.target {
            collector.warn("\(path): derived \(target) from C ≈ 6·N·D for \(derived) rows")
        }
        // Labels and the text cells of number columns.
        let numericColumns = Set(valueColumns.filter { $0.numbers > 0 }.map(\.index))
        for g in groupRun.indices {
            var labels: [String: String] = [:]
            for (c, k) in plan.labelCandidates.enumerated() where labelConstant.base[g * candidateCount + c] && !numericColumns.contains(k) {
                if let value = labelValues[g][c] { labels[header[k]] = value }
            }
            if labels.isEmpty { continue }
            for v in 0..<valueCount {
                let slot = seriesOf.base[g * valueCount + v]
                if slot >= 0 { collector.builders[slotBuilder[slot]].labels.merge(labels) { old, _ in old } }
            }
        }
        // Found groups: a column the same in every group says nothing about the run (it
        // stays a label); the run is named by the columns that differ.
        if autoGroups && !groupRun.isEmpty {
            let parts = groupRun.indices.map { g in plan.groupIndices.map { groupLabels[g][header[$0]] ?? "" } }
            let varying = plan.groupIndices.indices.filter { p in Set(parts.map { $0[p] }).count > 1 }
            for g in groupRun.indices {
                let name = varying.isEmpty ? defaultRun : varying.map { parts[g][$0] }.joined(separator: "/")
                for v in 0..<valueCount {
                    let slot = seriesOf.base[g * valueCount + v]
                    if slot >= 0 { collector.builders[slotBuilder[slot]].run = options.run ?? name }
                }
            }
            collector.warn("\(path): rows split into runs by the text column\(varying.count == 1 ? "" : "s") "
                + (varying.isEmpty ? plan.groupIndices : varying.map { plan.groupIndices[$0] }).map { "\"\(header[$0])\"" }.joined(separator: ", ")
                + " (as --group would); --group names other columns")
        }
        // What to suggest if a series turns out to repeat many x (SeriesCollector.MisKeyed).
        var varyingText: [String] = []
        for (c, k) in plan.labelCandidates.enumerated() where !numericColumns.contains(k) && !plan.groupIndices.contains(k) {
            if groupRun.indices.contains(where: { !labelConstant.base[$0 * candidateCount + c] && labelValues[$0][c] != nil }) {
                varyingText.append(header[k])
            }
        }
        if let sweep = plan.sweep, plan.x2Index == nil, let xIndex = plan.xIndex {
            let others = [sweep.n, sweep.d, sweep.c].compactMap { $0 }.filter { $0 != xIndex }
            if let other = others.first {
                let xName = xIndex == sweep.n ? "N" : xIndex == sweep.d ? "D" : "C"
                let otherName = other == sweep.n ? "N" : other == sweep.d ? "D" : "C"
                collector.keyHints[collector.source] = "a sweep with several \(otherName) (\"\(header[other])\") per \(xName): --x \(xName),\(otherName) reads both inputs for a two-input law such as chinchilla; --group \"\(header[other])\" makes one curve per \(otherName)"
            }
        } else if !varyingText.isEmpty {
            collector.keyHints[collector.source] = "the column\(varyingText.count == 1 ? "" : "s") " + varyingText.map { "\"\($0)\"" }.joined(separator: ", ")
                + " differ\(varyingText.count == 1 ? "s" : "") from row to row: " + varyingText.map { "--group \"\($0)\"" }.joined(separator: " ") + " splits the rows into runs"
        } else if plan.mode == .wide {
            collector.keyHints[collector.source] = "the columns are " + header.map { "\"\($0)\"" }.joined(separator: ", ")
                + ": --group COLUMN splits rows into runs; a long table needs a key column (metric, key, tag, name) beside \"value\""
        }
        for column in valueColumns where column.numbers > 0 && column.texts > 0 {
            collector.report.add(.notANumber, "\(path) column \"\(header[column.index])\"", count: column.texts)
        }
        if format == .tensorboardCSV && rowsRead == 1000 {
            collector.warn("\(path): exactly 1000 points: TensorBoard keeps a 1000-point sample per tag by default; relaunch it with --samples_per_plugin=scalars=0 to export every point")
        }
        if format == .wandbPanel && bandsDiffer > 0 {
            collector.warn("\(path): __MIN/__MAX differ from each other at \(bandsDiffer) points: the panel was bucket-sampled or grouped; the band is kept, the value column is the series")
        }
        if format == .wandbHistory && rowsRead == 500 {
            collector.warn("\(path): exactly 500 rows: run.history() samples 500 rows by default; use scan_history() for every point")
        }
    }
}
